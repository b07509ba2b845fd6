// Gradients that run as one fused kernel where the active backend has it (wasm, with ours registered) and as TF.js's
// own composition everywhere else. Gradient functions are global, not per backend, so each checks for its kernel.
import * as tf from '@tensorflow/tfjs-core'
import { getGradient, getKernel, registerGradient, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core'
import { FUSED_BATCH_NORM_GRAD, fusedBatchNormGradApplies } from './batch-norm-grad.js'
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from './batch-norm-training.js'
import { CLIP_BY_VALUE_GRAD } from './clip-by-value-grad.js'
import { RELU6_GRAD } from './relu6-grad.js'

const hasKernel = (name: string) => getKernel(name, tf.getBackend()) != null

function fusedBatchNormGradient(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved
      if (!hasKernel(FUSED_BATCH_NORM_GRAD) || !fusedBatchNormGradApplies(x, mean, variance, scale)) {
        return original.gradFunc(dy, saved, attrs)
      }
      // Computed once for all inputs, here rather than in the per-input functions: backprop runs each of those in its
      // own tidy, which would dispose the outputs the others need. Unused outputs go with the backward pass's scope.
      const inputs = { dy: dy as Tensor, x, mean, variance, ...(scale ? { scale } : {}) }
      const [dx, dMean, dVariance, dScale, dOffset] = tf
        .engine()
        .runKernel(FUSED_BATCH_NORM_GRAD, inputs, { varianceEpsilon: attrs.varianceEpsilon } as NamedAttrMap) as Tensor[]
      return { x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset }
    },
  }
}

function clipByValueGradient(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (!hasKernel(CLIP_BY_VALUE_GRAD) || saved[0].dtype !== 'float32') return original.gradFunc(dy, saved, attrs)
      const { clipValueMin, clipValueMax } = attrs
      return {
        x: () =>
          tf.engine().runKernel(CLIP_BY_VALUE_GRAD, { dy: dy as Tensor, x: saved[0] }, { clipValueMin, clipValueMax } as NamedAttrMap) as Tensor,
      }
    },
  }
}

function relu6Gradient(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (!hasKernel(RELU6_GRAD) || saved[0].dtype !== 'float32') return original.gradFunc(dy, saved, attrs)
      return { x: () => tf.engine().runKernel(RELU6_GRAD, { dy: dy as Tensor, x: saved[0] }) as Tensor }
    },
  }
}

/**
 * The gradient of our training-mode batch norm (batch-norm-training.ts). The kernel exists on wasm only, so this runs
 * only where its forward ran. Saved: x, scale, then the mean and variance outputs.
 */
const batchNormTrainingGradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, mean, variance] = saved
    // TF.js passes zeros for outputs the loss does not reach (the statistics, which feed only the moving averages).
    const [dy, dMean, dVariance] = dys as Tensor[]
    const inputs = { dy, x, mean, variance, scale, dMean, dVariance }
    const [dx, dScale, dOffset] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_GRAD, inputs, { varianceEpsilon: attrs.varianceEpsilon } as NamedAttrMap) as Tensor[]
    return { x: () => dx, scale: () => dScale, offset: () => dOffset }
  },
}

let registered = false

/** Put the fused gradients in place of TF.js's own (once; they fall back to those on other backends). */
export function registerFusedGradients(): void {
  if (registered) return
  for (const [name, wrap] of [
    ['FusedBatchNorm', fusedBatchNormGradient],
    ['ClipByValue', clipByValueGradient],
    ['Relu6', relu6Gradient],
  ] as const) {
    const original = getGradient(name)
    if (!original) throw new Error(`TF.js registered no gradient for ${name}`)
    registerGradient(wrap(original))
  }
  registerGradient(batchNormTrainingGradient)
  registered = true
}
