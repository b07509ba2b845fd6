// DepthwiseConv2dNativeBackpropFilter for wasm (the backend ships none):
// dW[kh,kw,c,q] = Σ_{n,oh,ow} x[n, oh·sH + kh·dH − padTop, ow·sW + kw·dW − padLeft, c] · dy[n,oh,ow, c·m + q].
// Each channel is its own small reduction, which no wasm kernel expresses without materialising kH·kW shifted copies
// of x. For each output row, tap and channel the products along the row are summed in a register (a running sum in
// memory cost a load and a store per multiply-add) and added to a float64 sum per (tap, channel), so that a reduction
// over hundreds of thousands of pixels stays as accurate as the CPU backend's.
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
  const xStep = g.strideW * C // x advances this far per output column
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const dyRow = (n * g.outH + oh) * g.outW * depth
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * g.strideH + kh * g.dilH - g.padTop
        if (ih < 0 || ih >= g.inH) continue
        const xRow = (n * g.inH + ih) * g.inW
        for (let kw = 0; kw < kW; kw++) {
          const tap = (kh * kW + kw) * depth
          // The output columns whose input column is inside the image: iw = ow·sW + kw·dW − padLeft ∈ [0, inW).
          const shift = kw * g.dilW - g.padLeft
          const owLo = Math.max(0, Math.ceil(-shift / g.strideW))
          const owHi = Math.min(g.outW, Math.ceil((g.inW - shift) / g.strideW))
          if (owHi <= owLo) continue
          const x0 = (xRow + owLo * g.strideW + shift) * C
          const d0 = dyRow + owLo * depth
          // One channel (and multiplier) at a time along the row, so the running sum stays in a register.
          for (let c = 0; c < C; c++) {
            for (let q = 0; q < m; q++) {
              const k = c * m + q
              let sum = 0
              for (let ow = owLo, xi = x0 + c, di = d0 + k; ow < owHi; ow++, xi += xStep, di += depth) sum += xs[xi] * dys[di]
              acc[tap + k] += sum
            }
          }
        }
      }
    }
  }
  return fromValues(b, [...filterShape], Float32Array.from(acc))
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
}
