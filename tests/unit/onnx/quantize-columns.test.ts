// A dense layer's weights ([in, out], ONNX Gemm's B) are quantized per output column: each column's scale is its own
// max |w| / 127, so a column of small weights keeps its resolution beside one of large weights.
import { describe, expect, it } from 'vitest'
import { quantizeColumns } from '../../../src/main/onnx/index.js'

describe('quantizeColumns', () => {
  it('scales each column by its own largest weight and keeps the [in, out] layout', () => {
    // 3 inputs × 2 outputs: column 0 is large, column 1 small.
    const w = Float32Array.from([127, 0.012, -64, -0.02, 12.7, 0.005])
    const { scales, values } = quantizeColumns(w, 3, 2)
    expect(Array.from(scales)).toEqual([1, Math.fround(0.02 / 127)])
    expect(Array.from(values)).toEqual([127, 76, -64, -127, 13, 32])
    // Dequantized, every weight is within half a step of its column.
    w.forEach((x, i) => expect(Math.abs(values[i] * scales[i % 2] - x)).toBeLessThanOrEqual(scales[i % 2] / 2 + 1e-9))
  })
})
