// Batch norm's gradient on wasm as one kernel. TF.js composes it from about a dozen full-size elementwise ops, four
// reductions and a Tile (docs/engine.md, "Batch norm's gradient"); every one of them is a pass over the activations.
// With channels last and per-channel statistics (the layers' case), two sums per channel give every gradient:
//   Σdy and Σdy·(x − mean)  →  d offset = Σdy,  d scale = r·Σdy(x − mean),  d mean = −r·scale·Σdy,
//   d variance = −½·r³·scale·Σdy(x − mean),  dx = dy·scale·r        with r = 1/√(variance + ε)
// — one pass to sum (in float64, as accurate as the CPU backend's) and one to write dx.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { fromValues, heap, type BackendWasm } from './wasm-ops.js'

export const FUSED_BATCH_NORM_GRAD = 'KindlingFusedBatchNormGrad'

/** Whether the fused kernel covers this batch norm: statistics (and scale) one value per channel of the last axis. */
export function fusedBatchNormGradApplies(x: TensorInfo, mean: TensorInfo, variance: TensorInfo, scale?: TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1]
  const perChannel = (t: TensorInfo) => t.shape.length === 1 && t.shape[0] === c && t.dtype === 'float32'
  return x.shape.length >= 1 && x.dtype === 'float32' && perChannel(mean) && perChannel(variance) && (scale == null || perChannel(scale))
}

/** Outputs: dx, d mean, d variance, d scale, d offset. */
export const fusedBatchNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo | undefined> as {
    dy: TensorInfo
    x: TensorInfo
    mean: TensorInfo
    variance: TensorInfo
    scale?: TensorInfo
  }
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number }
  const C = mean.shape[0]
  const dx = b.makeOutput([...x.shape], 'float32')
  const dys = heap(b, dy)
  const xs = heap(b, x)
  const means = heap(b, mean)
  const sumDy = new Float64Array(C)
  const sumDyXm = new Float64Array(C)
  for (let i = 0; i < xs.length;) {
    for (let c = 0; c < C; c++, i++) {
      const d = dys[i]
      sumDy[c] += d
      sumDyXm[c] += d * (xs[i] - means[c])
    }
  }
  const variances = heap(b, variance)
  const scales = scale ? heap(b, scale) : null
  const dMean = new Float32Array(C)
  const dVariance = new Float32Array(C)
  const dScale = new Float32Array(C)
  const dOffset = new Float32Array(C)
  const factor = new Float32Array(C) // scale·r, dx's per-channel factor
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(variances[c] + varianceEpsilon)
    const s = scales ? scales[c] : 1
    dMean[c] = -r * s * sumDy[c]
    dVariance[c] = -0.5 * r * r * r * s * sumDyXm[c]
    dScale[c] = r * sumDyXm[c]
    dOffset[c] = sumDy[c]
    factor[c] = s * r
  }
  const dxs = heap(b, dx)
  for (let i = 0; i < dxs.length;) for (let c = 0; c < C; c++, i++) dxs[i] = dys[i] * factor[c]
  return [dx, ...[dMean, dVariance, dScale, dOffset].map((v) => fromValues(b, [C], v))]
}

export const fusedBatchNormGradConfig: KernelConfig = {
  kernelName: FUSED_BATCH_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: fusedBatchNormGrad,
}
