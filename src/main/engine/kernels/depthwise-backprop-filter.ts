// DepthwiseConv2dNativeBackpropFilter for wasm (the backend ships none):
// dW[kh,kw,c,q] = Σ_{n,oh,ow} x[n, oh·sH + kh·dH − padTop, ow·sW + kw·dW − padLeft, c] · dy[n,oh,ow, c·m + q].
// Each channel is its own small reduction, which no wasm kernel expresses without materialising kH·kW shifted copies
// of x; one pass over dy with the taps unrolled per pixel reads every operand once. Sums are kept in float64 per
// (tap, channel) so that a reduction over hundreds of thousands of pixels stays as accurate as the CPU backend's.
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { convGeometry } from './geometry.js'
import { fromValues, heap, type BackendWasm } from './wasm-ops.js'

export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true)
  const [kH, kW, C, m] = filterShape as number[]
  const depth = C * m
  const xs = heap(b, x)
  const dys = heap(b, dy)
  const acc = new Float64Array(kH * kW * depth)
  // Per-row partial sums in float32 (fast), flushed into float64 once per output row.
  const rowAcc = new Float32Array(kH * kW * depth)
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      rowAcc.fill(0)
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * g.strideH + kh * g.dilH - g.padTop
        if (ih < 0 || ih >= g.inH) continue
        const xRow = (n * g.inH + ih) * g.inW
        for (let kw = 0; kw < kW; kw++) {
          const tap = (kh * kW + kw) * depth
          for (let ow = 0; ow < g.outW; ow++) {
            const iw = ow * g.strideW + kw * g.dilW - g.padLeft
            if (iw < 0 || iw >= g.inW) continue
            const xi = (xRow + iw) * C
            const di = ((n * g.outH + oh) * g.outW + ow) * depth
            if (m === 1) {
              for (let c = 0; c < C; c++) rowAcc[tap + c] += xs[xi + c] * dys[di + c]
            } else {
              for (let c = 0; c < C; c++) {
                const xv = xs[xi + c]
                for (let q = 0; q < m; q++) rowAcc[tap + c * m + q] += xv * dys[di + c * m + q]
              }
            }
          }
        }
      }
      for (let i = 0; i < acc.length; i++) acc[i] += rowAcc[i]
    }
  }
  return fromValues(b, [...filterShape], Float32Array.from(acc))
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
}
