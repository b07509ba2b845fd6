// The detector's network for inference — predicting on photos, scoring val during training: ONNX Runtime on the model
// converted in memory (every core; measured 2.2–2.6× more photos a second end to end than TF.js wasm on one thread,
// README Performance), or the TF.js model itself where ONNX Runtime cannot load. Both return the TF.js model's raw
// outputs, so decoding and scoring do not change (ONNX Runtime's match TF.js's within 1e-4, tests/integration/onnx).
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

export interface Network {
  /** classLogits [B, A, C+1] and boxOffsets [B, A, 4] for a batch (the caller disposes them). */
  predict(images: tf.Tensor4D): Promise<[tf.Tensor3D, tf.Tensor3D]>
  release(): Promise<void>
  runtime: 'onnx' | 'tfjs'
}

/** The TF.js model as a Network (nothing to release: the model is the caller's). */
export const tfjsNetwork = (model: tfl.LayersModel): Network => ({
  predict: async (images) => model.predict(images) as [tf.Tensor3D, tf.Tensor3D],
  release: async () => {},
  runtime: 'tfjs',
})

/**
 * The model's current weights on ONNX Runtime (a snapshot: train further and convert again), or on TF.js when asked
 * or when ONNX Runtime does not load here — said once on stderr, never silently.
 */
export async function inferenceNetwork(model: tfl.LayersModel, runtime: 'onnx' | 'tfjs' = 'onnx'): Promise<Network> {
  if (runtime === 'tfjs') return tfjsNetwork(model)
  try {
    const { layersToOnnx, OnnxDetector } = await import('../onnx/index.js')
    const detector = await OnnxDetector.load(layersToOnnx(model))
    return { predict: (images) => detector.predict(images), release: () => detector.release(), runtime: 'onnx' }
  } catch (error) {
    warnOnce(`inference on TF.js: ONNX Runtime did not load (${(error as Error).message.split('\n')[0]})`)
    return tfjsNetwork(model)
  }
}

let warned = false
function warnOnce(message: string): void {
  if (!warned) console.warn(message)
  warned = true
}
