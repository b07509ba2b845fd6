// BlazeFace's output decoding on hand-made outputs: anchors + regressed offsets → boxes, sigmoid scores, and the
// score-weighted merge of overlapping hits.
import { describe, expect, it } from 'vitest'
import { blendOverlaps, decodeBlazeFace } from '../../../src/main/kindle/index.js'

describe('BlazeFace decoding', () => {
  it('places a box at its anchor plus the regressed offset, with the regressed size, and drops low scores', () => {
    const anchors = Float32Array.from([8, 8, 24, 8])
    const logits = Float32Array.from([Math.log(0.9 / 0.1), Math.log(0.2 / 0.8)]) // sigmoid → 0.9, 0.2
    const regress = new Float32Array(2 * 16)
    regress.set([2, -1, 20, 30], 0) // dx, dy, w, h for anchor 0
    regress.set([0, 0, 10, 10], 16)
    const boxes = decodeBlazeFace(logits, regress, anchors, 0.5)
    expect(boxes).toHaveLength(1)
    expect(boxes[0].x).toBeCloseTo(10 - 10, 5)
    expect(boxes[0].y).toBeCloseTo(7 - 15, 5)
    expect(boxes[0].w).toBeCloseTo(20, 5)
    expect(boxes[0].h).toBeCloseTo(30, 5)
    expect(boxes[0].score).toBeCloseTo(0.9, 5)
  })

  it('skips boxes with no size', () => {
    const boxes = decodeBlazeFace(Float32Array.from([5]), new Float32Array(16), Float32Array.from([8, 8]), 0.5)
    expect(boxes).toEqual([])
  })

  it('merges overlapping hits into their score-weighted mean, keeping the best score; apart ones stay apart', () => {
    // IoU of the first two = 80 / 120 > 0.3: x0 = (0.9·0 + 0.3·2) / 1.2 = 0.5.
    const out = blendOverlaps([
      { x: 0, y: 0, w: 10, h: 10, score: 0.9 },
      { x: 2, y: 0, w: 10, h: 10, score: 0.3 },
      { x: 50, y: 50, w: 10, h: 10, score: 0.6 },
    ])
    expect(out).toHaveLength(2)
    expect(out[0].x).toBeCloseTo(0.5, 10)
    expect(out[0].w).toBeCloseTo(10, 10)
    expect(out[0].score).toBe(0.9)
    expect(out[1]).toEqual({ x: 50, y: 50, w: 10, h: 10, score: 0.6 })
  })
})
