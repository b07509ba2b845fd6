// TF.js layers model on the wasm backend (one thread in Node): the fallback wherever ONNX Runtime cannot run.
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { initWasmBackend } from './backend.js'
import { fixedInput } from './fixed-input.js'
import { modelFolder } from './load-model.js'
import { benchmarkShape, describeValues, type OpenModel } from './runtime.js'

export async function openTfjsModel(dir: string): Promise<OpenModel> {
  await initWasmBackend()
  const model = await tfl.loadLayersModel(modelFolder(dir))
  if (model.inputs.length !== 1) {
    throw new Error(`the model has ${model.inputs.length} inputs; the runner benchmarks models with one input`)
  }
  const inputShape = benchmarkShape(model.inputs[0].shape)
  const input = tf.tensor(fixedInput(inputShape), inputShape, 'float32')
  const predict = () => {
    const out = model.predict(input)
    return Array.isArray(out) ? out : [out]
  }
  return {
    runtime: 'tfjs',
    runtimeVersion: tf.version_core,
    backend: tf.getBackend(),
    threads: 1,
    precision: 'fp32',
    inputShape,
    // Outputs read back: a benchmark that never reads its result could measure a lazy nothing.
    infer() {
      const outputs = predict()
      for (const t of outputs) t.dataSync()
      tf.dispose(outputs)
    },
    async describeOutputs() {
      const outputs = predict()
      const described = outputs.map((t) => describeValues(t.shape, t.dataSync()))
      tf.dispose(outputs)
      return described
    },
  }
}
