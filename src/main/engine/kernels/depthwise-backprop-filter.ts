// DepthwiseConv2dNativeBackpropFilter for wasm (the backend ships none):
// dW[kh,kw,c,q] = Σ_{n,oh,ow} x[n, oh·sH + kh·dH − padTop, ow·sW + kw·dW − padLeft, c] · dy[n,oh,ow, c·m + q].
// Each channel is its own small reduction, which no wasm kernel expresses without materialising kH·kW shifted copies
// of x. For each output row, tap and channel the products along the row are summed in a register (a running sum in
// memory cost a load and a store per multiply-add) and added to a float64 sum per (tap, channel), so that a reduction
// over hundreds of thousands of pixels stays as accurate as the CPU backend's. With one filter a channel and channels a
// multiple of 4 (MobileNet's layers) the same sums run as wasm SIMD, four channels at a time (simd.ts).
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { convGeometry } from './geometry.js'
import { address, simdFor } from './simd.js'
import { free, fromValues, heap, type BackendWasm } from './wasm-ops.js'

export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true)
  const [kH, kW, C, m] = filterShape as number[]
  const depth = C * m
  const simd = m === 1 && C % 4 === 0 ? simdFor(b) : null
  if (simd) return depthwiseFilterGradSimd(b, simd, x, dy, g, filterShape as number[])
  const xs = heap(b, x)
  const dys = heap(b, dy)
  const acc = new Float64Array(kH * kW * depth)
  const xStep = g.strideW * C // x advances this far per output column
  const threeTaps = kW === 3 && m === 1 && g.dilW === 1
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const dyRow = (n * g.outH + oh) * g.outW * depth
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * g.strideH + kh * g.dilH - g.padTop
        if (ih < 0 || ih >= g.inH) continue
        const xRow = (n * g.inH + ih) * g.inW
        // MobileNet's case — three taps a row, next to each other, one filter per channel — takes the three taps in
        // one sweep over the columns where all three are inside the image; the other columns go tap by tap below.
        let lo = 0
        let hi = 0
        if (threeTaps) {
          lo = Math.max(0, Math.ceil(g.padLeft / g.strideW))
          hi = Math.min(g.outW, Math.ceil((g.inW - 2 + g.padLeft) / g.strideW))
          if (hi > lo) {
            threeTapRow(xs, dys, acc, kh * 3 * C, (xRow + lo * g.strideW - g.padLeft) * C, dyRow + lo * C, hi - lo, C, xStep)
          } else hi = lo = 0
        }
        for (let kw = 0; kw < kW; kw++) {
          const tap = (kh * kW + kw) * depth
          // The output columns whose input column is inside the image: iw = ow·sW + kw·dW − padLeft ∈ [0, inW).
          const shift = kw * g.dilW - g.padLeft
          const owLo = Math.max(0, Math.ceil(-shift / g.strideW))
          const owHi = Math.min(g.outW, Math.ceil((g.inW - shift) / g.strideW))
          if (owHi <= owLo) continue
          if (hi > lo) {
            // Only the columns the three-tap sweep left out: [owLo, lo) and [hi, owHi).
            if (lo > owLo) tapRow(xs, dys, acc, tap, (xRow + owLo * g.strideW + shift) * C, dyRow + owLo * depth, lo - owLo, C, m, xStep)
            if (owHi > hi) tapRow(xs, dys, acc, tap, (xRow + hi * g.strideW + shift) * C, dyRow + hi * depth, owHi - hi, C, m, xStep)
            continue
          }
          tapRow(xs, dys, acc, tap, (xRow + owLo * g.strideW + shift) * C, dyRow + owLo * depth, owHi - owLo, C, m, xStep)
        }
      }
    }
  }
  return fromValues(b, [...filterShape], Float32Array.from(acc))
}

/** Columns a SIMD stretch sums in float32 before adding to the float64 accumulators. */
const STRETCH = 64

/**
 * The same sums as wasm SIMD, four channels at a time (multiplier 1, channels a multiple of 4): for each output row,
 * tap and stretch of columns inside the image, one call sweeps every channel group.
 */
function depthwiseFilterGradSimd(
  b: BackendWasm,
  simd: NonNullable<ReturnType<typeof simdFor>>,
  x: TensorInfo,
  dy: TensorInfo,
  g: ReturnType<typeof convGeometry>,
  filterShape: number[],
): TensorInfo {
  const [kH, kW, C] = filterShape
  const accT = b.makeOutput([2 * kH * kW * C], 'float32', undefined, new Float32Array(2 * kH * kW * C)) // float64, zeroed
  const [xBase, dyBase, accBase] = [address(b, x), address(b, dy), address(b, accT)]
  const xStep = g.strideW * C * 4 // bytes per output column
  const dStep = C * 4
  const groups = C / 4
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const dyRow = (n * g.outH + oh) * g.outW * C
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * g.strideH + kh * g.dilH - g.padTop
        if (ih < 0 || ih >= g.inH) continue
        const xRow = (n * g.inH + ih) * g.inW
        for (let kw = 0; kw < kW; kw++) {
          const shift = kw * g.dilW - g.padLeft
          const owLo = Math.max(0, Math.ceil(-shift / g.strideW))
          const owHi = Math.min(g.outW, Math.ceil((g.inW - shift) / g.strideW))
          const acc = accBase + (kh * kW + kw) * C * 8
          for (let ow = owLo; ow < owHi; ow += STRETCH) {
            const count = Math.min(STRETCH, owHi - ow)
            const x0 = xBase + (xRow + ow * g.strideW + shift) * C * 4
            simd.depthwiseTap(x0, dyBase + (dyRow + ow * C) * 4, count, xStep, dStep, acc, groups)
          }
        }
      }
    }
  }
  const sums = Float32Array.from(new Float64Array(heap(b, accT).buffer, accBase, kH * kW * C))
  free(b, accT)
  return fromValues(b, [...filterShape], sums)
}

/**
 * One tap over `count` output columns: for each channel (and multiplier) the products along the row are summed in a
 * register, then added to acc[tap + channel].
 */
function tapRow(
  xs: Float32Array,
  dys: Float32Array,
  acc: Float64Array,
  tap: number,
  x0: number,
  d0: number,
  count: number,
  C: number,
  m: number,
  xStep: number,
): void {
  const depth = C * m
  for (let c = 0; c < C; c++) {
    for (let q = 0; q < m; q++) {
      const k = c * m + q
      let sum = 0
      for (let j = 0, xi = x0 + c, di = d0 + k; j < count; j++, xi += xStep, di += depth) sum += xs[xi] * dys[di]
      acc[tap + k] += sum
    }
  }
}

/**
 * Three adjacent taps (kw = 0, 1, 2 of one kernel row, multiplier 1) over `count` output columns whose three input
 * columns are all inside the image: each dy value is loaded once for the three products, and each x value once per
 * tap it feeds. x0 is the input offset of the first column's kw = 0 tap.
 */
function threeTapRow(
  xs: Float32Array,
  dys: Float32Array,
  acc: Float64Array,
  tap: number,
  x0: number,
  d0: number,
  count: number,
  C: number,
  xStep: number,
): void {
  for (let c = 0; c < C; c++) {
    let s0 = 0
    let s1 = 0
    let s2 = 0
    for (let j = 0, xi = x0 + c, di = d0 + c; j < count; j++, xi += xStep, di += C) {
      const d = dys[di]
      s0 += xs[xi] * d
      s1 += xs[xi + C] * d
      s2 += xs[xi + 2 * C] * d
    }
    acc[tap + c] += s0
    acc[tap + C + c] += s1
    acc[tap + 2 * C + c] += s2
  }
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
}
