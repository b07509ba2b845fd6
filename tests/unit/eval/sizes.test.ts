import { describe, expect, it } from 'vitest'
import { addConfusion, matchPhoto, sizeBreakdown, sizeOf } from '../../../src/main/eval/index.js'

describe('sizes', () => {
  it("puts a box in COCO's size by its area in pixels: small < 32², medium < 96², large", () => {
    expect(sizeOf(31 * 33)).toBe('small') // 1023
    expect(sizeOf(32 * 32)).toBe('medium')
    expect(sizeOf(95 * 97)).toBe('medium') // 9215
    expect(sizeOf(96 * 96)).toBe('large')
  })

  it('counts labelled boxes and recall per size at the threshold and at any score', () => {
    // small: 3 boxes, found at 0.9 and 0.3, one never → at 0.5: 1/3, at any score 2/3
    // medium: 1 box found at 0.6 → 1/1 and 1/1
    // large: 2 boxes, none found → 0/2
    const boxes = [
      { area: 20 * 20, foundScore: 0.9 },
      { area: 10 * 10, foundScore: 0.3 },
      { area: 30 * 30, foundScore: null },
      { area: 50 * 50, foundScore: 0.6 },
      { area: 200 * 200, foundScore: null },
      { area: 100 * 100, foundScore: null },
    ]
    const [small, medium, large] = sizeBreakdown(boxes, 0.5)
    expect(small).toMatchObject({ size: 'small', labelled: 3, found: 1, foundAtAnyScore: 2, minArea: 0, maxArea: 1024 })
    expect(small.recall).toBeCloseTo(1 / 3)
    expect(small.recallAtAnyScore).toBeCloseTo(2 / 3)
    expect(small.curve).toEqual([
      { score: 0.9, found: 1 },
      { score: 0.3, found: 2 },
    ])
    expect(medium).toMatchObject({ labelled: 1, found: 1, recall: 1, recallAtAnyScore: 1 })
    expect(large).toMatchObject({ labelled: 2, found: 0, recall: 0, foundAtAnyScore: 0, maxArea: null })
  })

  it('has no recall for a size with no labelled box', () => {
    const [, , large] = sizeBreakdown([{ area: 100, foundScore: 0.9 }], 0.5)
    expect(large).toMatchObject({ labelled: 0, recall: null, recallAtAnyScore: null, curve: [] })
  })
})

describe('matching a photo', () => {
  // Two faces; detections: a good one on face A (0.9), a second on A (0.8: a duplicate, false alarm), a poor one
  // on B (IoU ≈ 0.43 at 0.6: a false alarm at IoU 0.5), and one on nothing (0.7).
  const photo = {
    labels: [
      { classIndex: 1, box: [0, 0, 100, 100] as const },
      { classIndex: 1, box: [200, 0, 300, 100] as const },
    ],
    detections: [
      { classIndex: 1, box: [0, 0, 100, 100] as const, score: 0.8 },
      { classIndex: 1, box: [2, 2, 102, 102] as const, score: 0.9 },
      { classIndex: 1, box: [240, 0, 340, 100] as const, score: 0.6 },
      { classIndex: 1, box: [500, 500, 550, 550] as const, score: 0.7 },
    ],
  }

  it('lets the best-scoring detection take a box; duplicates and poor overlaps are false alarms', () => {
    const m = matchPhoto(photo, 0.5)
    expect(Array.from(m.detectionLabel)).toEqual([-1, 0, -1, -1])
    expect(m.labelScore[0]).toBe(0.9)
    expect(Number.isNaN(m.labelScore[1])).toBe(true)
    expect(Array.from(m.labelArea)).toEqual([10000, 10000])
  })

  it('finds the poor overlap at a looser IoU', () => {
    const m = matchPhoto(photo, 0.3)
    expect(m.labelScore[1]).toBe(0.6)
  })

  it('counts confusion between classes with background for false alarms and misses', () => {
    // A face (1) found as a smiling face (2); a smiling face missed; a detection of a face over nothing.
    const counts = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]
    addConfusion(
      counts,
      {
        labels: [
          { classIndex: 1, box: [0, 0, 100, 100] },
          { classIndex: 2, box: [200, 0, 300, 100] },
        ],
        detections: [
          { classIndex: 2, box: [0, 0, 100, 100], score: 0.9 },
          { classIndex: 1, box: [500, 500, 600, 600], score: 0.8 },
          // Below the threshold: not counted at all.
          { classIndex: 2, box: [200, 0, 300, 100], score: 0.2 },
        ],
      },
      0.5,
      0.5,
    )
    expect(counts).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ])
  })
})
