import { describe, expect, it } from 'vitest'
import { bestF1, countCurve, downsample, pointAt } from '../../../src/main/eval/index.js'

// Five detections against 4 labelled boxes, by hand:
//   score 0.9 hit, 0.8 false alarm, 0.7 hit, 0.7 hit (tied), 0.4 false alarm
// at ≥0.9: tp 1 fp 0 → P 1, R .25, F1 .4
// at ≥0.8: tp 1 fp 1 → P .5, R .25, F1 1/3
// at ≥0.7: tp 3 fp 1 → P .75, R .75, F1 .75   ← best
// at ≥0.4: tp 3 fp 2 → P .6, R .75, F1 2/3
const outcomes = [
  { score: 0.7, tp: true },
  { score: 0.9, tp: true },
  { score: 0.4, tp: false },
  { score: 0.8, tp: false },
  { score: 0.7, tp: true },
]

describe('operating points', () => {
  it('counts hits and false alarms at each distinct score, highest first, ties together', () => {
    expect(countCurve(outcomes)).toEqual([
      { score: 0.9, tp: 1, fp: 0 },
      { score: 0.8, tp: 1, fp: 1 },
      { score: 0.7, tp: 3, fp: 1 },
      { score: 0.4, tp: 3, fp: 2 },
    ])
  })

  it('finds the threshold with the best F1, with its precision, recall, false alarms and misses', () => {
    const best = bestF1(countCurve(outcomes), 4)!
    expect(best.score).toBe(0.7)
    expect(best.precision).toBeCloseTo(0.75)
    expect(best.recall).toBeCloseTo(0.75)
    expect(best.f1).toBeCloseTo(0.75)
    expect(best.fp).toBe(1)
    expect(best.misses).toBe(1)
  })

  it('among equal F1s keeps the higher threshold', () => {
    // ≥0.9: tp1 fp0 of 2 → F1 2/3; ≥0.5: tp 2 fp 2 → P .5 R 1 → F1 2/3: same, so 0.9 wins.
    const curve = countCurve([
      { score: 0.9, tp: true },
      { score: 0.6, tp: false },
      { score: 0.55, tp: false },
      { score: 0.5, tp: true },
    ])
    expect(bestF1(curve, 2)!.score).toBe(0.9)
  })

  it('has no best threshold when nothing is found', () => {
    expect(bestF1(countCurve([{ score: 0.9, tp: false }]), 3)).toBeNull()
    expect(bestF1([], 3)).toBeNull()
  })

  it('reads any threshold between points as the last point at or above it', () => {
    const curve = countCurve(outcomes)
    expect(pointAt(curve, 0.75, 4)).toMatchObject({ score: 0.75, tp: 1, fp: 1, precision: 0.5, recall: 0.25, misses: 3 })
    expect(pointAt(curve, 0.7, 4)).toMatchObject({ tp: 3, fp: 1 })
    // Above every score nothing is counted: no false alarm (precision 1), every box missed.
    expect(pointAt(curve, 0.95, 4)).toMatchObject({ tp: 0, fp: 0, precision: 1, recall: 0, f1: 0, misses: 4 })
    expect(pointAt(curve, 0.01, 4)).toMatchObject({ tp: 3, fp: 2 })
  })

  it('downsamples long curves evenly, keeping the first and the last point', () => {
    const points = Array.from({ length: 1001 }, (_, i) => i)
    const kept = downsample(points, 500)
    expect(kept).toHaveLength(500)
    expect(kept[0]).toBe(0)
    expect(kept.at(-1)).toBe(1000)
    expect(downsample([1, 2, 3], 500)).toEqual([1, 2, 3])
  })
})
