// tfjs-layers' BatchNormalization and ReLU(maxValue 6), computed with fewer kernels. The layers stay the stock classes
// with their own names, weights and configs — a checkpoint saves and loads exactly as before — and only how a call is
// computed changes:
// - batch norm in training mode runs our one-kernel forward (kernels/batch-norm-training.ts), whose gradient is one
//   kernel too, where the active backend has it (wasm, with the engine's kernels); anywhere else, and in inference, the
//   stock call;
// - ReLU capped at 6 is one Relu6 op instead of Relu then ClipByValue (the same values and the same gradient, 0 < x ≤ 6),
//   on every backend.
// Measurements: docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes".
import * as tf from '@tensorflow/tfjs-core'
import { getKernel, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { BATCH_NORM_TRAINING, batchNormTrainingApplies } from './kernels/index.js'

type BatchNormalization = ReturnType<typeof tfl.layers.batchNormalization>
type ReLU = ReturnType<typeof tfl.layers.reLU>
type Kwargs = Parameters<BatchNormalization['call']>[1]

/** The stock layer's own state, private in its typings. */
interface BatchNormState {
  axis: number
  momentum: number
  epsilon: number
  gamma?: tfl.LayerVariable
  beta?: tfl.LayerVariable
  movingMean: tfl.LayerVariable
  movingVariance: tfl.LayerVariable
}

const one = (inputs: Tensor | Tensor[]): Tensor => (Array.isArray(inputs) ? inputs[0] : inputs)

/** The stock layer's moving-average update (tfjs-layers' doMovingAverage): v ← v − (v − value)·(1 − momentum). */
function moveAverage(variable: tfl.LayerVariable, value: Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read()
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)))
  })
}

/** A BatchNormalization layer whose training-mode call is one kernel where the backend has it. */
export function fusedBatchNorm(layer: BatchNormalization): BatchNormalization {
  const stock = layer.call.bind(layer)
  const state = layer as unknown as BatchNormState
  layer.call = (inputs: Tensor | Tensor[], kwargs: Kwargs) => {
    const x = one(inputs)
    const { gamma, beta } = state
    const lastAxis = state.axis === -1 || state.axis === x.rank - 1
    if (
      kwargs['training'] !== true ||
      getKernel(BATCH_NORM_TRAINING, tf.getBackend()) == null ||
      !gamma ||
      !beta ||
      !lastAxis ||
      !batchNormTrainingApplies(x, gamma.read(), beta.read())
    ) {
      return stock(inputs, kwargs)
    }
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale: gamma.read(), offset: beta.read() }, {
        varianceEpsilon: state.epsilon,
      } as NamedAttrMap) as Tensor[]
      moveAverage(state.movingMean, mean, state.momentum)
      moveAverage(state.movingVariance, variance, state.momentum)
      return y
    })
  }
  return layer
}

/** A ReLU layer capped at 6 computed as one Relu6 op. */
export function fusedRelu6(layer: ReLU): ReLU {
  layer.call = (inputs: Tensor | Tensor[]) => tf.relu6(one(inputs))
  return layer
}
