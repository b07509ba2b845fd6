import { describe, expect, it } from 'vitest'
import { allPointAp, cocoAp, COCO_RECALL_POINTS, precisionEnvelope } from '../../../src/main/eval/ap.js'

// 3 labels, 5 detections ranked TP, FP, TP, FP, TP:
//   rank        1    2    3    4    5
//   recall     1/3  1/3  2/3  2/3   1
//   precision   1   1/2  2/3  1/2  3/5
//   envelope    1   2/3  2/3  3/5  3/5
const recall = [1 / 3, 1 / 3, 2 / 3, 2 / 3, 1]
const precision = [1, 1 / 2, 2 / 3, 1 / 2, 3 / 5]

describe('average precision', () => {
  it('takes the precision envelope from the right', () => {
    const envelope = precisionEnvelope(precision)
    ;[1, 2 / 3, 2 / 3, 3 / 5, 3 / 5].forEach((p, i) => expect(envelope[i]).toBeCloseTo(p, 12))
  })

  it('VOC all-point: the area under the envelope, one rectangle per recall step', () => {
    // (1/3 − 0)·1 + (2/3 − 1/3)·2/3 + (1 − 2/3)·3/5 = 1/3 + 2/9 + 1/5 = 34/45
    expect(allPointAp(recall, precision)).toBeCloseTo(34 / 45, 12)
  })

  it('COCO 101-point: the envelope sampled at recall 0, 0.01, …, 1', () => {
    // points 0.00–0.33 (34 of them) first reached at rank 1 → 1; 0.34–0.66 (33) at rank 3 → 2/3; 0.67–1.00 (34) at
    // rank 5 → 3/5. (34 + 33·2/3 + 34·3/5) / 101 = 76.4 / 101
    expect(cocoAp(recall, precision)).toBeCloseTo(76.4 / 101, 12)
    expect(COCO_RECALL_POINTS).toHaveLength(101)
  })

  it('gives recall that is never reached no area (VOC) and zero precision (COCO)', () => {
    // 4 labels, TP TP FP: recall stops at 1/2.
    const r = [1 / 4, 2 / 4, 2 / 4]
    const p = [1, 1, 2 / 3]
    expect(allPointAp(r, p)).toBeCloseTo(0.5, 12)
    // Points 0.00–0.50 (51 of them, 0.50 itself reached exactly) → 1; the other 50 → 0.
    expect(cocoAp(r, p)).toBeCloseTo(51 / 101, 12)
  })

  it('counts a recall of exactly k/100 as reaching point k (pycocotools, via k·0.01, would not for k = 35)', () => {
    // Points 0.00–0.35 (36) at rank 1 → 1; 0.36–0.50 (15) at rank 2 → 1/2: (36 + 7.5) / 101.
    // pycocotools' np.linspace gives 0.35000000000000003 > 0.35, moving point 35 to rank 2: (35 + 8) / 101.
    expect(cocoAp([35 / 100, 1 / 2], [1, 1 / 2])).toBeCloseTo(43.5 / 101, 12)
  })

  it('is 1 for a perfect ranking and 0 for no detections', () => {
    expect(allPointAp([0.5, 1], [1, 1])).toBe(1)
    expect(cocoAp([0.5, 1], [1, 1])).toBe(1)
    expect(allPointAp([], [])).toBe(0)
    expect(cocoAp([], [])).toBe(0)
  })

  it('refuses curves whose recall and precision do not pair up', () => {
    expect(() => allPointAp([1], [])).toThrow(/same length/)
  })
})
