// Tiled kindling (zoom in): the tile grid, tile pixels, mapping a tile's boxes back to the photo, dropping boxes cut by
// an inner tile edge, and the whole detectFaces merge with a stand-in teacher — cases worked by hand.
import { describe, expect, it } from 'vitest'
import { requests } from '../../../src/shared/api.js'
import {
  cropPixels,
  detectFaces,
  dropCutBoxes,
  mapTileBoxes,
  resolveSettings,
  tileGrid,
  tilesFor,
  type FaceBox,
  type Pixels,
  type Teacher,
} from '../../../src/main/kindle/index.js'
import { parseKindleArgs } from '../../../src/main/server/commands/kindle.js'

const box = (x: number, y: number, w: number, h: number, score = 1): FaceBox => ({ x, y, w, h, score })

describe('tile geometry', () => {
  it('splits a photo into an n×n grid of equal tiles overlapping by ~20 %, covering it edge to edge', () => {
    // 1000 / (2 - 0.2) = 555.6 → 556 wide, the second from 1000 - 556 = 444 (112 px shared); 600 / 1.8 → 334, from 266.
    expect(tileGrid(1000, 600, 2)).toEqual([
      { x: 0, y: 0, w: 556, h: 334 },
      { x: 444, y: 0, w: 556, h: 334 },
      { x: 0, y: 266, w: 556, h: 334 },
      { x: 444, y: 266, w: 556, h: 334 },
    ])
    // 3 a side: 1000 / (3 - 0.4) = 384.6 → 385 wide, from 0, 307.5 → 308, 615.
    expect(
      tileGrid(1000, 1000, 3)
        .slice(0, 3)
        .map((t) => [t.x, t.w]),
    ).toEqual([
      [0, 385],
      [308, 385],
      [615, 385],
    ])
    expect(tileGrid(1000, 600, 1)).toEqual([{ x: 0, y: 0, w: 1000, h: 600 }])
  })

  it("tiles 'auto' only a photo whose longer side is ≥ 2.5 × the teacher's input", () => {
    expect(tilesFor('auto', 1280, 960, 256)).toBe(2)
    expect(tilesFor('auto', 480, 640, 256)).toBe(2)
    expect(tilesFor('auto', 500, 375, 256)).toBe(1)
    expect(tilesFor('auto', 1000, 800, 512)).toBe(1)
    expect(tilesFor('off', 4000, 3000, 256)).toBe(1)
    expect(tilesFor(3, 200, 200, 256)).toBe(3)
  })

  it('copies a tile out of the pixels', () => {
    // 3×2 image, pixel (x, y) = [10y + x, 0, 0].
    const data = new Uint8Array(18)
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) data[(y * 3 + x) * 3] = 10 * y + x
    const tile = cropPixels({ data, width: 3, height: 2 }, { x: 1, y: 1, w: 2, h: 1 })
    expect([tile.width, tile.height, ...tile.data]).toEqual([2, 1, 11, 0, 0, 12, 0, 0])
  })

  it("maps a tile's boxes to the photo and marks those touching a tile edge inside the photo as cut", () => {
    const t = { x: 444, y: 266, w: 556, h: 334 } // bottom-right tile of 1000×600: its left and top edges are inside
    expect(mapTileBoxes([box(0, 100, 50, 50), box(100, 100, 50, 50), box(506, 284, 50, 50), box(100, 1, 20, 20)], t, 1000, 600)).toEqual([
      { ...box(444, 366, 50, 50), cut: true }, // on the left edge
      { ...box(544, 366, 50, 50), cut: false },
      { ...box(950, 550, 50, 50), cut: false }, // on the right and bottom edges: the photo's own
      { ...box(544, 267, 20, 20), cut: true }, // within 2 px of the top edge
    ])
  })

  it('drops a cut box another whole box covers by half or more, keeps one nobody else saw', () => {
    const plain = [box(430, 360, 70, 60, 0.9)]
    const tiled = [
      { ...box(444, 366, 50, 50, 0.8), cut: true }, // inside the plain box: dropped
      { ...box(800, 100, 30, 30, 0.7), cut: true }, // alone: kept
      { ...box(190, 100, 40, 40, 0.7), cut: true }, // half inside the next, whole one: dropped
      { ...box(170, 100, 40, 40, 0.8), cut: false },
    ]
    expect(dropCutBoxes(plain, tiled)).toEqual([box(800, 100, 30, 30, 0.7), box(170, 100, 40, 40, 0.8)])
  })
})

describe('detectFaces with tiles', () => {
  // A white 40×40 "face" at (480, 300) in a black 1000×600 photo: in the overlap of all four 2×2 tiles, whole only in
  // the lower two. The stand-in teacher boxes the white pixels, but (like a real one) misses a face smaller than 5 %
  // of the image's longer side: 40 px is too small in the photo (50 px) and big enough in a 556 px tile (27.8 px).
  const photo: Pixels = { data: new Uint8Array(1000 * 600 * 3), width: 1000, height: 600 }
  for (let y = 300; y < 340; y++) photo.data.fill(255, (y * 1000 + 480) * 3, (y * 1000 + 520) * 3)
  const calls: [number, number][] = []
  const teacher: Teacher = {
    name: 'white',
    version: '1',
    async detect(image) {
      calls.push([image.width, image.height])
      let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1]
      for (let y = 0; y < image.height; y++) {
        for (let x = 0; x < image.width; x++) {
          if (image.data[(y * image.width + x) * 3] !== 255) continue
          ;[x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)]
        }
      }
      if (x1 < 0 || Math.max(x1 - x0, y1 - y0) < 0.05 * Math.max(image.width, image.height)) return []
      return [box(x0, y0, x1 - x0, y1 - y0, 0.9)]
    },
  }

  it('finds the small face only with tiles, once, whole, in the photo’s frame', async () => {
    const options = { minScore: 0.5, zoomOut: 1, zoomOutWhen: 'big-face' as const, inputSize: 256 }
    calls.length = 0
    expect(await detectFaces(teacher, photo, { ...options, tiles: 'off' })).toEqual([])
    expect(calls).toEqual([
      [1000, 600],
      [2000, 1200],
    ]) // plain, then zoomed out (no face)
    calls.length = 0
    // The upper tiles see it cut by their bottom edge (480, 300, 40, 34): dropped for the lower tiles' whole box.
    expect(await detectFaces(teacher, photo, { ...options, tiles: 'auto' })).toEqual([box(480, 300, 40, 40, 0.9)])
    expect(calls).toEqual([
      [1000, 600],
      [2000, 1200],
      [556, 334],
      [556, 334],
      [556, 334],
      [556, 334],
    ])
    // The auto rule: a 500 px photo (< 2.5 × 256) is not tiled.
    calls.length = 0
    await detectFaces(teacher, { data: new Uint8Array(500 * 300 * 3), width: 500, height: 300 }, { ...options, tiles: 'auto' })
    expect(calls).toEqual([
      [500, 300],
      [1000, 600],
    ])
  })
})

describe('tiles as a job option', () => {
  it('resolves, validates and parses from the command line', () => {
    expect(resolveSettings({ tiles: 3 }).tiles).toBe(3)
    expect(resolveSettings({ tiles: 'off' }).tiles).toBe('off')
    expect(() => resolveSettings({ tiles: 7 })).toThrow(/tiles/)
    expect(() => resolveSettings({ tiles: 'big' as 'off' })).toThrow(/tiles/)
    expect(parseKindleArgs(['--project', '/p', '--tiles', 'off']).tiles).toBe('off')
    expect(parseKindleArgs(['--project', '/p', '--tiles', '2']).tiles).toBe(2)
    expect(() => parseKindleArgs(['--project', '/p', '--tiles', '1'])).toThrow(/--tiles/)
    expect(() => parseKindleArgs(['--project', '/p', '--tiles', 'many'])).toThrow(/--tiles/)
    const params = requests['kindle.start'].params
    for (const tiles of ['off', 'auto', 2, 4]) expect(params.safeParse({ tiles }).success).toBe(true)
    for (const tiles of ['on', 1, 5, 2.5]) expect(params.safeParse({ tiles }).success).toBe(false)
  })
})
