import { describe, expect, it } from 'vitest'
import {
  atThreshold,
  bestF1Threshold,
  curveProblem,
  type CurvePoint,
  overallAt,
  overallBestF1,
  pointIndexAt,
  prCurve,
} from '../../../src/renderer/src/pages/Evaluate/threshold'

// Five detections of one class over 4 labels, best first: hit, hit, false, hit, false.
const curve: CurvePoint[] = [
  { score: 0.95, tp: 1, fp: 0 },
  { score: 0.8, tp: 2, fp: 0 },
  { score: 0.6, tp: 2, fp: 1 },
  { score: 0.4, tp: 3, fp: 1 },
  { score: 0.2, tp: 3, fp: 2 },
]

describe('the numbers at a threshold', () => {
  it('keeps the detections scoring at or above it', () => {
    expect(pointIndexAt(curve, 0.99)).toBe(-1)
    expect(pointIndexAt(curve, 0.95)).toBe(0)
    expect(pointIndexAt(curve, 0.7)).toBe(1)
    expect(pointIndexAt(curve, 0.6)).toBe(2)
    expect(pointIndexAt(curve, 0)).toBe(4)
    expect(pointIndexAt([], 0.5)).toBe(-1)
  })

  it('counts precision, recall, F1, false alarms and misses by hand', () => {
    // At 0.5: hit, hit, false kept → 2 of 3 right, 2 of 4 labels found.
    const mid = atThreshold(curve, 4, 0.5)
    expect(mid).toMatchObject({ threshold: 0.5, tp: 2, falseAlarms: 1, misses: 2, precision: 2 / 3, recall: 0.5 })
    expect(mid.f1).toBeCloseTo(4 / 7, 12)
    // At 0.3: three hits and a false alarm; one label missed.
    const low = atThreshold(curve, 4, 0.3)
    expect([low.tp, low.falseAlarms, low.misses, low.precision, low.recall]).toEqual([3, 1, 1, 0.75, 0.75])
    expect(low.f1).toBeCloseTo(0.75, 12)
  })

  it('says precision is unknown when nothing is kept, and every label is then a miss', () => {
    expect(atThreshold(curve, 4, 0.99)).toEqual({ threshold: 0.99, tp: 0, falseAlarms: 0, misses: 4, precision: null, recall: 0, f1: null })
  })

  it('has no recall for a class with no labels, and every detection is a false alarm', () => {
    const m = atThreshold([{ score: 0.7, tp: 0, fp: 1 }], 0, 0.5)
    expect([m.precision, m.recall, m.f1, m.falseAlarms, m.misses]).toEqual([0, null, null, 1, 0])
  })

  it('refuses a label count that is not a whole number', () => {
    expect(() => atThreshold(curve, -1, 0.5)).toThrow(/labelled must be a whole number/)
    expect(() => atThreshold(curve, 2.5, 0.5)).toThrow(/labelled must be a whole number/)
  })
})

describe('the F1-best threshold', () => {
  it('is the score where F1 peaks', () => {
    // F1 after each point with 4 labels: 0.4, 0.667, 0.571, 0.75, 0.667 → the fourth, score 0.4.
    const best = bestF1Threshold(curve, 4)!
    expect(best.threshold).toBe(0.4)
    expect(best.f1).toBeCloseTo(0.75, 12)
  })

  it('prefers the higher score among equal F1s', () => {
    // F1 2/3 at 0.9 (1 of 2 found, precision 1) and again at 0.5 (2 of 2 found, 2 of 4 right).
    const tied: CurvePoint[] = [
      { score: 0.9, tp: 1, fp: 0 },
      { score: 0.7, tp: 1, fp: 1 },
      { score: 0.5, tp: 2, fp: 2 },
    ]
    expect(bestF1Threshold(tied, 2)!.threshold).toBe(0.9)
  })

  it('never picks a state no threshold can give: equal scores are kept together', () => {
    // The first 0.8 alone would be F1 1.0, but a threshold keeps both 0.8s: 1 hit, 1 false, F1 2/3.
    const ties: CurvePoint[] = [
      { score: 0.8, tp: 1, fp: 0 },
      { score: 0.8, tp: 1, fp: 1 },
      { score: 0.3, tp: 1, fp: 2 },
    ]
    const best = bestF1Threshold(ties, 1)!
    expect(best.threshold).toBe(0.8)
    expect(best.f1).toBeCloseTo(2 / 3, 12)
  })

  it('is null without a single hit', () => {
    expect(bestF1Threshold([{ score: 0.9, tp: 0, fp: 1 }], 3)).toBeNull()
    expect(bestF1Threshold([], 3)).toBeNull()
  })
})

describe('several classes at one threshold', () => {
  const smiling: CurvePoint[] = [
    { score: 0.9, tp: 0, fp: 1 },
    { score: 0.5, tp: 1, fp: 1 },
  ]
  const classes = [
    { points: curve, labelled: 4 },
    { points: smiling, labelled: 2 },
  ]

  it('sums the counts, as one deployed threshold does', () => {
    // At 0.5: face 2 hits + 1 false, smiling 1 hit + 1 false; 6 labels.
    const m = overallAt(classes, 0.5)
    expect([m.tp, m.falseAlarms, m.misses, m.precision, m.recall]).toEqual([3, 2, 3, 0.6, 0.5])
  })

  it('finds the F1-best threshold over every class', () => {
    // Candidates 0.95 … 0.2; at 0.4: 3+1 hits, 1+1 false, 6 labels → P 4/6, R 4/6, F1 2/3, the best.
    const best = overallBestF1(classes)!
    expect(best.threshold).toBe(0.4)
    expect(best.f1).toBeCloseTo(2 / 3, 12)
  })
})

describe('the curve as drawn and as checked', () => {
  it('gives recall along x, never decreasing, and precision up it', () => {
    const { recall, precision, score } = prCurve(curve, 4)
    expect(recall).toEqual([0.25, 0.5, 0.5, 0.75, 0.75])
    expect(precision).toEqual([1, 1, 2 / 3, 0.75, 0.6])
    expect(score).toEqual([0.95, 0.8, 0.6, 0.4, 0.2])
  })

  it('names what is wrong with a curve that cannot be', () => {
    expect(curveProblem(curve, 4)).toBeNull()
    expect(
      curveProblem(
        [
          { score: 0.5, tp: 0, fp: 1 },
          { score: 0.6, tp: 1, fp: 1 },
        ],
        1,
      ),
    ).toMatch(/point 1 scores 0.6, above/)
    expect(
      curveProblem(
        [
          { score: 0.5, tp: 2, fp: 0 },
          { score: 0.4, tp: 1, fp: 1 },
        ],
        2,
      ),
    ).toMatch(/point 1's counts/)
    expect(curveProblem([{ score: 0.5, tp: 3, fp: 0 }], 2)).toMatch(/finds 3 labels of 2/)
    expect(curveProblem([{ score: Number.NaN, tp: 0, fp: 1 }], 2)).toMatch(/point 0 has score NaN/)
  })
})
