// Gradients that run as one fused kernel where the active backend has it (wasm, with ours registered) and as TF.js's
// own composition everywhere else. Gradient functions are global, not per backend, so each checks for its kernel.
import * as tf from '@tensorflow/tfjs-core'
import { getGradient, getKernel, registerGradient, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core'
import { FUSED_BATCH_NORM_GRAD, fusedBatchNormGradApplies } from './batch-norm-grad.js'
import { CLIP_BY_VALUE_GRAD } from './clip-by-value-grad.js'

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

let registered = false

/** Put the fused gradients in place of TF.js's own (once; they fall back to those on other backends). */
export function registerFusedGradients(): void {
  if (registered) return
  for (const [name, wrap] of [
    ['FusedBatchNorm', fusedBatchNormGradient],
    ['ClipByValue', clipByValueGradient],
  ] as const) {
    const original = getGradient(name)
    if (!original) throw new Error(`TF.js registered no gradient for ${name}`)
    registerGradient(wrap(original))
  }
  registered = true
}
