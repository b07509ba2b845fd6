// Anchors: SSD300's 8,732, the order the head relies on, sizes in pixels (square on a non-square input), the extra
// square anchor, and coordinates on the 2^-20 grid the matcher's exact arithmetic needs.
import { describe, expect, it } from 'vitest'
import {
  anchorsFor,
  anchorsPerCell,
  COORDINATE_QUANTUM,
  SSD300_ANCHOR_MAPS,
  ssd300Anchors,
  type AnchorSet,
} from '../../../src/main/detector/anchors.js'
import type { FeatureMap } from '../../../src/main/detector/config.js'

const anchor = (set: AnchorSet, i: number) => Array.from(set.boxes.subarray(i * 4, i * 4 + 4))
/** Size in pixels of anchor i on a W×H input. */
const pixels = (set: AnchorSet, i: number, W: number, H: number) => {
  const [x1, y1, x2, y2] = anchor(set, i)
  return { w: (x2 - x1) * W, h: (y2 - y1) * H, cx: ((x1 + x2) / 2) * W, cy: ((y1 + y2) / 2) * H }
}
/** Snapping moves a coordinate by less than 2^-20; a size by less than twice that. */
const pxTolerance = (size: number) => 2 * COORDINATE_QUANTUM * size + 1e-9

describe('SSD300 anchors', () => {
  const set = ssd300Anchors()

  it('are the paper’s 8,732: 38², 19², 10², 5², 3², 1² cells with 4, 6, 6, 6, 4, 4 anchors each', () => {
    expect(SSD300_ANCHOR_MAPS.map(anchorsPerCell)).toEqual([4, 6, 6, 6, 4, 4])
    expect(set.count).toBe(8732)
    expect(set.boxes.length).toBe(8732 * 4)
    expect(set.maps.map((m) => m.offset)).toEqual([0, 5776, 7942, 8542, 8692, 8728])
  })

  it('are ordered map by map, row-major over cells, then type within a cell', () => {
    // On map 1 (19×19, 6 per cell), anchor (row 2, col 5, type 3) is at offset + (2·19 + 5)·6 + 3.
    const i = 5776 + (2 * 19 + 5) * 6 + 3
    const p = pixels(set, i, 300, 300)
    expect(p.cx).toBeCloseTo(((5 + 0.5) / 19) * 300, 3)
    expect(p.cy).toBeCloseTo(((2 + 0.5) / 19) * 300, 3)
    // Type 3 on that map is aspect ratio 3: three times as wide as high.
    expect(p.w / p.h).toBeCloseTo(3, 4)
    // Consecutive anchors in a cell share a centre; the next cell is one column to the right.
    const k = 6
    expect(pixels(set, i - 3, 300, 300).cx).toBeCloseTo(p.cx, 4)
    expect(pixels(set, i - 3 + k, 300, 300).cx).toBeCloseTo(((6 + 0.5) / 19) * 300, 3)
  })

  it('have the paper’s sizes in pixels: s·300·√ar by s·300/√ar, and √(s_k·s_k+1) for the extra one', () => {
    const at = (map: number, t: number) => pixels(set, set.maps[map].offset + t, 300, 300)
    const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(pxTolerance(300))
    near(at(0, 0).w, 30) // ar 1 on conv4_3: 30 px
    near(at(0, 0).h, 30)
    near(at(0, 1).w, 30 * Math.SQRT2) // ar 2
    near(at(0, 1).h, 30 / Math.SQRT2)
    near(at(0, 2).w, 30 / Math.SQRT2) // ar ½
    near(at(0, 3).w, Math.sqrt(0.1 * 0.2) * 300) // extra: √(s0·s1)
    near(at(0, 3).h, Math.sqrt(0.1 * 0.2) * 300)
    near(at(5, 3).w, Math.sqrt(0.88 * 1) * 300) // the last map's extra uses 1
  })

  it('are not clipped to the image: large anchors at the border reach outside it', () => {
    const corners = Array.from({ length: set.count }, (_, i) => anchor(set, i))
    expect(Math.min(...corners.map((c) => c[0]))).toBeLessThan(0)
    expect(Math.max(...corners.map((c) => c[2]))).toBeGreaterThan(1)
    // …so every anchor of a type keeps its size, at the border as in the middle.
    const widths = new Set(Array.from({ length: 38 * 38 }, (_, cell) => anchor(set, cell * 4)).map(([x1, , x2]) => x2 - x1))
    expect(widths.size).toBe(1)
  })

  it('lie on the 2^-20 grid, with every anchor of a type exactly the same size', () => {
    expect(set.boxes.every((v) => Number.isInteger(v / COORDINATE_QUANTUM))).toBe(true)
    for (const map of set.maps) {
      for (let t = 0; t < map.perCell; t++) {
        const sizes = new Set<string>()
        for (let cell = 0; cell < map.rows * map.cols; cell++) {
          const [x1, y1, x2, y2] = anchor(set, map.offset + cell * map.perCell + t)
          sizes.add(`${x2 - x1},${y2 - y1}`)
        }
        expect(sizes.size).toBe(1)
      }
    }
  })
})

describe('anchors on a 320×240 input', () => {
  const maps: FeatureMap[] = [
    { size: [30, 40], scale: 0.1, aspectRatios: [1, 0.8], extraScale: true },
    { size: [15, 20], scale: 0.2, aspectRatios: [1], extraScale: false },
  ]
  const set = anchorsFor({ input: { width: 320, height: 240 }, featureMaps: maps })

  it('count rows · cols · per cell, with the extra anchor only where asked', () => {
    expect(maps.map(anchorsPerCell)).toEqual([3, 1])
    expect(set.count).toBe(30 * 40 * 3 + 15 * 20)
    expect(set.maps[1]).toMatchObject({ rows: 15, cols: 20, perCell: 1, offset: 3600 })
  })

  it('make square anchors square in pixels, sized from the shorter side (240)', () => {
    for (const i of [0, 2, 3600]) {
      const p = pixels(set, i, 320, 240)
      expect(Math.abs(p.w - p.h)).toBeLessThanOrEqual(pxTolerance(320))
    }
    expect(pixels(set, 0, 320, 240).w).toBeCloseTo(24, 3) // 0.1 · 240
    expect(pixels(set, 2, 320, 240).w).toBeCloseTo(Math.sqrt(0.1 * 0.2) * 240, 3)
    // Aspect ratio 0.8 is 0.8 as wide as high, in pixels.
    const p = pixels(set, 1, 320, 240)
    expect(p.w / p.h).toBeCloseTo(0.8, 4)
  })

  it('centre rows and columns on the map’s cells (rows down the 240-px side)', () => {
    const last = set.maps[0].offset + (30 * 40 - 1) * 3
    expect(pixels(set, last, 320, 240).cx).toBeCloseTo((39.5 / 40) * 320, 2)
    expect(pixels(set, last, 320, 240).cy).toBeCloseTo((29.5 / 30) * 240, 2)
  })
})
