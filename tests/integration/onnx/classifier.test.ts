// Both classifier presets as ONNX, run by ONNX Runtime, compute what TF.js computes: the same logits, and — with the
// softmax an export closes the model with — the same class probabilities (within 1e-4), for two different images in
// one batch. AlexNet's head flattens a 7×7×256 map into fc6: a flatten in ONNX's NCHW order instead of TF's NHWC would
// feed fc6 its inputs shuffled and the logits would differ. MobileNet's head is a global average pool; its batch norms
// get trained-like scales and shifts and the statistics of the test images (as a run measures them), so folding them
// is exercised and the logits depend on the image (freshly built, its signal fades to nothing on the way down).
import * as tf from '@tensorflow/tfjs-core'
import * as ort from 'onnxruntime-node'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildClassifier, classifierPreset, classifierPresetNames, measureNormStatistics } from '../../../src/main/classifier/index.js'
import { PROBABILITIES_OUTPUT, withProbabilities } from '../../../src/main/deploy/classifier-model.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { layersToOnnx } from '../../../src/main/onnx/index.js'
import { onnx } from '../../../src/main/onnx/onnx-proto.js'
import { fixedInput } from '../../../src/runner/fixed-input.js'
import { relativeError } from '../../helpers/compare.js'
import { trainedLikeNorms } from '../../helpers/norms.js'

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))

describe('a classifier as ONNX', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' })
  })

  it.each(classifierPresetNames)(
    '%s: ONNX Runtime gives the logits and class probabilities TF.js gives (within 1e-4)',
    async (name) => {
      const { model, config } = withSeededRandom(1, () => buildClassifier(classifierPreset(name, 'smiling')))
      try {
        const shape = [2, config.input.height, config.input.width, 3]
        // Noise, then a darker copy of it: two noise images of the same statistics would pool to the same features.
        const pixels = fixedInput(shape)
        const half = pixels.length / 2
        for (let i = 0; i < half; i++) pixels[half + i] = pixels[i] * 0.3
        trainedLikeNorms(model)
        tf.tidy(() => measureNormStatistics(model, [tf.tensor4d(pixels, shape as [number, number, number, number])]))
        const logits = tf.tidy(() => (model.predict(tf.tensor(pixels, shape)) as tf.Tensor).dataSync() as Float32Array)
        const probabilities = tf.tidy(() => tf.softmax(tf.tensor(logits, [2, 2])).dataSync() as Float32Array)
        // The two images must be told apart, or a batch mix-up would go unseen.
        expect(maxAbsDiff(logits.slice(0, 2), logits.slice(2))).toBeGreaterThan(1e-3)

        const raw = await ort.InferenceSession.create(layersToOnnx(model), { intraOpNumThreads: 2 })
        const got = await raw.run({ image: new ort.Tensor('float32', pixels, shape) })
        await raw.release()
        expect(got.classLogits.dims).toEqual([2, 2])
        expect(relativeError(got.classLogits.data as Float32Array, logits)).toBeLessThan(1e-4)

        const exported = withProbabilities(model)
        const session = await ort.InferenceSession.create(layersToOnnx(exported), { intraOpNumThreads: 2 })
        expect(session.outputNames).toEqual([PROBABILITIES_OUTPUT])
        const out = (await session.run({ image: new ort.Tensor('float32', pixels, shape) }))[PROBABILITIES_OUTPUT]
        await session.release()
        expect(out.dims).toEqual([2, 2])
        expect(maxAbsDiff(out.data as Float32Array, probabilities)).toBeLessThan(1e-4)
        // The TF.js side of the export answers with the same probabilities.
        const tfjs = tf.tidy(() => (exported.predict(tf.tensor(pixels, shape)) as tf.Tensor).dataSync() as Float32Array)
        expect(maxAbsDiff(tfjs, probabilities)).toBeLessThan(1e-6)
      } finally {
        model.dispose()
      }
    },
    120_000,
  )

  it('writes the head as Flatten/GlobalAveragePool, Gemm and Softmax, with no dropout left', () => {
    const ops = (name: string) => {
      const { model } = withSeededRandom(1, () => buildClassifier(classifierPreset(name)))
      const decoded = onnx.ModelProto.decode(layersToOnnx(withProbabilities(model)))
      model.dispose()
      return new Set(decoded.graph!.node!.map((n) => n.opType))
    }
    const alexnet = ops('alexnet-classifier')
    expect([...alexnet].sort()).toEqual(['Add', 'Conv', 'Flatten', 'Gemm', 'MaxPool', 'Mul', 'Relu', 'Softmax', 'Transpose'])
    const mobilenet = ops('mobilenet-classifier-160')
    expect(mobilenet).toContain('GlobalAveragePool')
    expect(mobilenet).not.toContain('BatchNormalization')
    expect(mobilenet).toContain('Gemm')
  })
})
