// Batch norms with the statistics of a trained network — scales and shifts away from 1 and 0 — for the ONNX tests and
// benches: a freshly built detector's norms are mean 0, variance 1, which would let batch-norm folding and int8 ranges
// pass without being exercised.
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { withSeededRandom } from '../../src/main/engine/seeded.js'

// gamma, beta, moving mean, moving variance
const RANGES = [
  [0.5, 1.5],
  [-0.5, 0.5],
  [-0.5, 0.5],
  [0.5, 2],
] as const

export function trainedLikeNorms(model: tfl.LayersModel): void {
  withSeededRandom(3, () => {
    for (const layer of model.layers) {
      if (layer.getClassName() !== 'BatchNormalization') continue
      layer.setWeights(layer.getWeights().map((w, i) => tf.randomUniform(w.shape, RANGES[i][0], RANGES[i][1])))
    }
  })
}
