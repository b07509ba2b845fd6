// Every preset as ONNX, run by ONNX Runtime, computes what TF.js computes: the same outputs, in the same layout, for
// the same pixels — with batch norm statistics that are not the identity, so folding them into the convolutions is
// really exercised (a freshly built detector's norms are mean 0, variance 1).
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as ort from 'onnxruntime-node'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildDetector, preset, presetNames } from '../../../src/main/detector/index.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { layersToOnnx } from '../../../src/main/onnx/index.js'
import { onnx } from '../../../src/main/onnx/onnx-proto.js'
import { fixedInput } from '../../../src/runner/fixed-input.js'
import { relativeError } from '../../helpers/compare.js'
import { trainedLikeNorms } from '../../helpers/norms.js'

describe('ONNX export', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' })
  })

  /** ONNX Runtime's outputs for two different images against TF.js's, for the detector a config builds. */
  async function expectSameAsTfjs(input: Parameters<typeof buildDetector>[0]) {
    const { model, config } = withSeededRandom(1, () => buildDetector(input))
    try {
      trainedLikeNorms(model)
      const bytes = layersToOnnx(model)
      const shape = [2, config.input.height, config.input.width, 3]
      // Two different images in one batch: the batch dimension is symbolic and each image stays its own.
      const pixels = fixedInput(shape)
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 })
      const got = await session.run({ image: new ort.Tensor('float32', pixels, shape) })
      await session.release()
      const expected = tf.tidy(() => (model.predict(tf.tensor(pixels, shape)) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array))
      const [classLogits, boxOffsets] = ['classLogits', 'boxOffsets'].map((k) => got[k])
      expect(classLogits.dims).toEqual([2, expect.any(Number), config.classes.length + 1])
      expect(boxOffsets.dims).toEqual([2, classLogits.dims[1], 4])
      expect(relativeError(classLogits.data as Float32Array, expected[0])).toBeLessThan(1e-4)
      expect(relativeError(boxOffsets.data as Float32Array, expected[1])).toBeLessThan(1e-4)
    } finally {
      model.dispose()
    }
  }

  it.each(presetNames)('%s: ONNX Runtime matches TF.js within 1e-4 of the output scale', (name) => expectSameAsTfjs(preset(name)), 120_000)

  it(
    'a fine-tune whose class predictors read the finest map too (average pools over its edges) matches as well',
    () => expectSameAsTfjs({ ...preset('mobilenet-v1-ssd-320x240'), classes: ['face', 'smiling-face'], fineClassFeatures: true }),
    120_000,
  )

  it('writes opset 13 with batch norm folded away and explicit padding, which older readers take', () => {
    const { model } = withSeededRandom(1, () => buildDetector(preset('mobilenet-v1-ssd-320x240')))
    const decoded = onnx.ModelProto.decode(layersToOnnx(model))
    model.dispose()
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]])
    expect(Number(decoded.irVersion)).toBe(7)
    const ops = new Set(decoded.graph!.node!.map((n) => n.opType))
    expect(ops).not.toContain('BatchNormalization')
    expect([...ops].sort()).toEqual(['Add', 'Clip', 'Concat', 'Conv', 'Mul', 'Reshape', 'Transpose'])
    const autoPad = decoded.graph!.node!.flatMap((n) => n.attribute!.filter((a) => a.name === 'auto_pad'))
    expect(autoPad).toEqual([])
    expect(decoded.graph!.input!.map((i) => i.name)).toEqual(['image'])
    expect(decoded.graph!.output!.map((o) => o.name)).toEqual(['classLogits', 'boxOffsets'])
  })

  it('names a layer it cannot export', async () => {
    const tfl = await import('@tensorflow/tfjs-layers')
    const input = tfl.input({ shape: [8, 8, 3], name: 'image' })
    const output = tfl.layers.upSampling2d({ size: [2, 2], name: 'upsample' }).apply(input) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: input, outputs: output })
    expect(() => layersToOnnx(model)).toThrow('the ONNX exporter does not know the layer upsample (UpSampling2D)')
    model.dispose()
  })
})
