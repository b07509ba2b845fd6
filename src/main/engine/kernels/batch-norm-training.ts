// Batch norm in training mode on wasm as one kernel forward and one backward. tfjs-layers composes it as moments
// (Mean, Sub, Square, Mean) and FusedBatchNorm, and its gradient flows back through all of those as well as through
// FusedBatchNorm's: about twenty full-size passes per layer, most of a MobileNet step's kernel calls
// (docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes"). With channels last and per-channel statistics:
//   forward:  Σx, Σx² (one pass, float64)  →  mean μ, biased variance σ²,  y = x·γr + (β − μγr),  r = 1/√(σ² + ε)
//   backward: Σdy, Σdy·x (one pass)  →  d offset = Σdy,  d scale = r·Σdy(x − μ),
//             dx = γr·dy − γr·Σdy/N − γr³·(x − μ)·Σdy(x − μ)/N  (+ whatever flows into the mean and variance outputs)
// Two passes each way, as wasm SIMD where the channels allow (channel-sums.ts). The mean and variance outputs are the batch statistics tfjs-layers' moving averages take.
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core'
import { channelAffine, channelAffine2, channelSums } from './channel-sums.js'
import { fromValues, heap, type BackendWasm } from './wasm-ops.js'

export const BATCH_NORM_TRAINING = 'KindlingBatchNormTraining'
export const BATCH_NORM_TRAINING_GRAD = 'KindlingBatchNormTrainingGrad'

/** Whether the kernel covers this input: float32, channels last, scale and offset one value per channel. */
export function batchNormTrainingApplies(x: TensorInfo, scale: TensorInfo, offset: TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1]
  const perChannel = (t: TensorInfo) => t.shape.length === 1 && t.shape[0] === c && t.dtype === 'float32'
  return x.shape.length >= 2 && x.dtype === 'float32' && x.shape.every((d) => d > 0) && perChannel(scale) && perChannel(offset)
}

const f32 = (v: Float64Array) => Float32Array.from(v)

/** Inputs x, scale, offset; attribute varianceEpsilon. Outputs y, mean, variance (biased, as tf.moments gives). */
export const batchNormTraining: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo }
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number }
  const C = x.shape[x.shape.length - 1]
  const y = b.makeOutput([...x.shape], 'float32')
  const N = util.sizeFromShape(x.shape) / C
  const [sum, sumSq] = channelSums(b, x, x, C)
  const mean = new Float64Array(C)
  const variance = new Float64Array(C)
  const a = new Float64Array(C)
  const gammas = heap(b, scale)
  const betas = Float64Array.from(heap(b, offset))
  for (let c = 0; c < C; c++) {
    mean[c] = sum[c] / N
    // E[x²] − μ² in float64 loses nothing that matters for float32 data; the max guards rounding below zero.
    variance[c] = Math.max(0, sumSq[c] / N - mean[c] * mean[c])
    a[c] = gammas[c] / Math.sqrt(variance[c] + varianceEpsilon)
  }
  channelAffine(b, x, y, mean, a, betas)
  return [y, fromValues(b, [C], f32(mean)), fromValues(b, [C], f32(variance))]
}

/**
 * Inputs dy, x, mean, variance, scale, and optionally dMean, dVariance (gradients reaching the statistics outputs);
 * attribute varianceEpsilon. Outputs dx, d scale, d offset.
 */
export const batchNormTrainingGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { dy, x, mean, variance, scale, dMean, dVariance } = inputs as Record<string, TensorInfo | undefined> as {
    dy: TensorInfo
    x: TensorInfo
    mean: TensorInfo
    variance: TensorInfo
    scale: TensorInfo
    dMean?: TensorInfo
    dVariance?: TensorInfo
  }
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number }
  const C = x.shape[x.shape.length - 1]
  const dx = b.makeOutput([...x.shape], 'float32')
  const N = util.sizeFromShape(x.shape) / C
  const [sumDy, sumDyX] = channelSums(b, dy, x, C)
  const means = Float64Array.from(heap(b, mean))
  const variances = heap(b, variance)
  const gammas = heap(b, scale)
  const dMeans = dMean ? heap(b, dMean) : null
  const dVariances = dVariance ? heap(b, dVariance) : null
  const dScale = new Float32Array(C)
  const dOffset = new Float32Array(C)
  const A = new Float64Array(C)
  const B = new Float64Array(C)
  const K = new Float64Array(C)
  for (let c = 0; c < C; c++) {
    const m = means[c]
    const r = 1 / Math.sqrt(variances[c] + varianceEpsilon)
    const g = gammas[c]
    const sumDyXm = sumDyX[c] - m * sumDy[c] // Σdy·(x − μ)
    dScale[c] = r * sumDyXm
    dOffset[c] = sumDy[c]
    // dx = A·dy + B·(x − μ) + K
    A[c] = g * r
    B[c] = (-g * r * r * r * sumDyXm) / N + (dVariances ? (2 * dVariances[c]) / N : 0)
    K[c] = (-g * r * sumDy[c]) / N + (dMeans ? dMeans[c] / N : 0)
  }
  channelAffine2(b, dy, x, dx, means, A, B, K)
  return [dx, fromValues(b, [C], dScale), fromValues(b, [C], dOffset)]
}

export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: batchNormTraining,
}

export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGrad,
}
