import { describe, expect, it } from 'vitest'
import { clip, nms, padPixels, type FaceBox } from '../../../src/main/kindle/index.js'
import { parseKindleArgs } from '../../../src/main/server/commands/kindle.js'

const box = (x: number, y: number, w: number, h: number, score = 1): FaceBox => ({ x, y, w, h, score })

describe('teacher helpers', () => {
  it('NMS keeps the best of overlapping boxes and every separate one', () => {
    const kept = nms([box(0, 0, 10, 10, 0.6), box(1, 1, 10, 10, 0.9), box(50, 50, 10, 10, 0.5)])
    expect(kept).toEqual([box(1, 1, 10, 10, 0.9), box(50, 50, 10, 10, 0.5)])
  })

  it('pads an image by a fraction of its size, half on each side, with the photo in the middle', () => {
    const image = { data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), width: 2, height: 2 }
    const { image: padded, dx, dy } = padPixels(image, 1)
    expect([padded.width, padded.height, dx, dy]).toEqual([4, 4, 1, 1])
    const at = (x: number, y: number) => [...padded.data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)]
    expect(at(0, 0)).toEqual([128, 128, 128])
    expect(at(1, 1)).toEqual([1, 2, 3])
    expect(at(2, 2)).toEqual([10, 11, 12])
  })

  it('clips boxes to the image and drops those left empty', () => {
    expect(clip(box(-5, 90, 20, 20), 100, 100)).toEqual(box(0, 90, 15, 10))
    expect(clip(box(120, 0, 20, 20), 100, 100)).toBeNull()
  })
})

describe('kindling kindle command line', () => {
  it('parses the options with their defaults', () => {
    expect(parseKindleArgs(['--project', '/p'])).toMatchObject({ project: '/p', teacher: 'blazeface', minScore: 0.5, smile: false })
    expect(parseKindleArgs(['--project', '/p', '--teacher', 'tiny-face-detector', '--min-score', '0.3', '--smile'])).toMatchObject({
      teacher: 'tiny-face-detector',
      minScore: 0.3,
      smile: true,
    })
  })

  it('refuses a bad command line with a reason naming the option', () => {
    expect(() => parseKindleArgs([])).toThrow(/--project/)
    expect(() => parseKindleArgs(['--project', '/p', '--teacher', 'nope'])).toThrow(/--teacher/)
    expect(() => parseKindleArgs(['--project', '/p', '--min-score', 'x'])).toThrow(/--min-score/)
    expect(() => parseKindleArgs(['--project', '/p', '--bogus'])).toThrow()
  })
})
