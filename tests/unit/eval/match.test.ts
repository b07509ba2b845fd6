import { describe, expect, it } from 'vitest'
import type { Corners } from '../../../src/shared/boxes.js'
import { matchImage, overlap } from '../../../src/main/eval/match.js'

// A 10×10 label and the same box slid right by s has IoU (10 − s) / (10 + s): s = 1 → 9/11 ≈ 0.818, s = 5 → 1/3.
const square: Corners = [0, 0, 10, 10]
const slid = (s: number): Corners => [s, 0, 10 + s, 10]
const outcomes = (matches: { outcome: string }[]) => matches.map((m) => m.outcome)

describe('greedy matching', () => {
  it('gives a label to the best-scoring detection only; a second detection of it is a false positive', () => {
    const [at50] = matchImage([slid(1), square], [{ box: square }], [0.5])
    // Detections come best-first: the worse-fitting one scored higher, so it takes the label.
    expect(at50).toEqual([
      { outcome: 'tp', label: 0 },
      { outcome: 'fp', label: -1 },
    ])
  })

  it('takes the best-overlapping label still free, not merely the best-overlapping label', () => {
    const a: Corners = [0, 0, 10, 10]
    const b: Corners = [2, 0, 12, 10]
    // slid(1) overlaps a and b equally (9/11 each); a is taken first by the exact detection, so it goes to b. The VOC
    // devkit would call it a false positive because its single best label is taken (documented in match.ts).
    const [at50] = matchImage([a, slid(1)], [{ box: a }, { box: b }], [0.5])
    expect(at50).toEqual([
      { outcome: 'tp', label: 0 },
      { outcome: 'tp', label: 1 },
    ])
  })

  it('resolves equal overlaps towards the later label, as pycocotools does', () => {
    const [at50] = matchImage([slid(1)], [{ box: [0, 0, 10, 10] }, { box: [2, 0, 12, 10] }], [0.5])
    expect(at50).toEqual([{ outcome: 'tp', label: 1 }])
  })

  it('accepts an overlap exactly at the threshold, and a perfect box at threshold 1', () => {
    // [0,0,2,2] vs [0,0,1,2]: intersection 2, union 4 → IoU exactly 0.5.
    const [at50, at55] = matchImage([[0, 0, 2, 2]], [{ box: [0, 0, 1, 2] }], [0.5, 0.55])
    expect(at50[0].outcome).toBe('tp')
    expect(at55[0].outcome).toBe('fp')
    expect(matchImage([square], [{ box: square }], [1])[0][0].outcome).toBe('tp')
  })

  it('matches at each threshold independently', () => {
    // IoU 9/11 ≈ 0.818: a hit up to 0.80, a miss from 0.85.
    const perThreshold = matchImage([slid(1)], [{ box: square }], [0.5, 0.8, 0.85, 0.95])
    expect(perThreshold.map((m) => m[0].outcome)).toEqual(['tp', 'tp', 'fp', 'fp'])
  })

  it('lets a crowd region absorb any number of detections inside it, measured by how much of each lies inside', () => {
    const crowd = { box: [0, 0, 100, 100] as Corners, crowd: true }
    const inside: Corners = [10, 10, 20, 20] // IoU with the crowd box 0.01, but wholly inside it
    expect(overlap(inside, crowd)).toBe(1)
    const [at50] = matchImage([inside, [30, 30, 40, 40], [95, 95, 105, 105]], [crowd], [0.5])
    // The last one is only a quarter inside: a false positive.
    expect(outcomes(at50)).toEqual(['ignored', 'ignored', 'fp'])
  })

  it('measures ignored (non-crowd) labels by IoU, and lets them absorb repeated detections too', () => {
    const ignored = { box: square, ignore: true }
    const [at50] = matchImage([square, slid(1), [2, 2, 4, 4]], [ignored], [0.5])
    expect(outcomes(at50)).toEqual(['ignored', 'ignored', 'fp'])
  })

  it('prefers a scored label over an ignored one even when the ignored one overlaps more', () => {
    const [at50] = matchImage([square], [{ box: square, ignore: true }, { box: slid(1) }], [0.5])
    expect(at50).toEqual([{ outcome: 'tp', label: 1 }])
  })

  it('calls everything a false positive in an image without labels, and has nothing to say without detections', () => {
    expect(outcomes(matchImage([square, slid(1)], [], [0.5])[0])).toEqual(['fp', 'fp'])
    expect(matchImage([], [{ box: square }], [0.5, 0.75])).toEqual([[], []])
  })
})
