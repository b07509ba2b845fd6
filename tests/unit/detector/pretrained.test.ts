// Pretrained initial weights: face-api's SSD MobileNetV1 backbone loaded into the studio's mobilenet-v1 computes what
// face-api's own network computes on a photo (the proof that every name, layout and folded norm is mapped right); a
// backbone it does not fit is refused naming the layer and both shapes, as is a source missing a weight, with nothing
// changed; the head stays random; calibrated norms keep predictions and make a training batch see the same features.
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { buildDetector, preset } from '../../../src/main/detector/index.js'
import {
  calibrateNorms,
  disposePretrained,
  initFromPretrained,
  pretrainedSources,
  setPretrained,
} from '../../../src/main/detector/pretrained.js'
import { faceApi, loadNet } from '../../../src/main/kindle/faceapi.js'
import { readPixels } from '../../../src/main/kindle/index.js'
import { dlibFaces } from '../../helpers/fixtures.js'

const SOURCE = 'face-api-ssd-mobilenetv1'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

/** A photo resized to the model's input, 0–255 RGB, batch of one. */
async function photo(file: string, height: number, width: number): Promise<tf.Tensor4D> {
  const p = await readPixels(path.join(dlibFaces, file))
  return tf.tidy(
    () => tf.expandDims(tf.image.resizeBilinear(tf.tensor3d(p.data, [p.height, p.width, 3], 'float32'), [height, width]), 0) as tf.Tensor4D,
  )
}

interface ConvParams {
  filters: tf.Tensor4D
  batch_norm_offset: tf.Tensor1D
  batch_norm_mean?: tf.Tensor1D
  batch_norm_variance?: tf.Tensor1D
  batch_norm_scale?: tf.Tensor1D
}
type FaceApiMobileNet = { conv_0: ConvParams } & Record<`conv_${number}`, { depthwise_conv: ConvParams; pointwise_conv: ConvParams }>

/** face-api's mobileNetV1 (src/ssdMobilenetv1/mobileNetV1.ts), op for op, on the teacher's own loaded parameters. */
function faceApiBackbone(x: tf.Tensor4D, params: FaceApiMobileNet): { conv11: tf.Tensor4D; conv13: tf.Tensor4D } {
  const pointwise = (y: tf.Tensor4D, p: ConvParams, s: number) =>
    tf.clipByValue(tf.add(tf.conv2d(y, p.filters, s, 'same'), p.batch_norm_offset), 0, 6) as tf.Tensor4D
  const depthwise = (y: tf.Tensor4D, p: ConvParams, s: number) =>
    tf.clipByValue(
      tf.batchNorm(
        tf.depthwiseConv2d(y, p.filters, s, 'same'),
        p.batch_norm_mean!,
        p.batch_norm_variance!,
        p.batch_norm_offset,
        p.batch_norm_scale,
        0.0010000000474974513,
      ),
      0,
      6,
    ) as tf.Tensor4D
  return tf.tidy(() => {
    let out = pointwise(tf.sub(tf.div(x, 127.5), 1), params.conv_0, 2)
    let conv11 = out
    for (let i = 1; i <= 13; i++) {
      const p = params[`conv_${i}`]
      out = pointwise(depthwise(out, p.depthwise_conv, [2, 4, 6, 12].includes(i) ? 2 : 1), p.pointwise_conv, 1)
      if (i === 11) conv11 = out
    }
    return { conv11, conv13: out }
  })
}

const layerOutputs = (model: tfl.LayersModel, names: string[], x: tf.Tensor4D) =>
  tfl.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tfl.SymbolicTensor) }).predict(x) as tf.Tensor[]

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])

describe('pretrained backbone from face-api SSD MobileNetV1', () => {
  it("reproduces face-api's own backbone activations on a photo (strides 16 and 32), the head left random", async () => {
    const detector = buildDetector(preset('mobilenet-v1-ssd-300'))
    const headBefore = detector.model.getLayer('head0_class').getWeights()[0].dataSync().slice()
    expect(initFromPretrained(detector.model, SOURCE)).toBe(2 + 13 * 4)

    const net = await loadNet(faceApi().nets.ssdMobilenetv1)
    const params = (net as unknown as { params: { mobilenetv1: FaceApiMobileNet } }).params.mobilenetv1
    const x = await photo('2008_002506.jpg', 300, 300)
    const reference = faceApiBackbone(x, params)
    const [conv11, conv13] = layerOutputs(detector.model, ['conv_pw_11_relu6', 'conv_pw_13_relu6'], x)
    expect(conv11.shape).toEqual(reference.conv11.shape)
    expect(conv13.shape).toEqual(reference.conv13.shape)
    // Activations reach several units (relu6): the features are alive, not all clipped to 0 or 6.
    expect(tf.tidy(() => tf.mean(tf.cast(tf.logicalAnd(tf.greater(conv13, 0), tf.less(conv13, 6)), 'float32')).dataSync()[0])).toBeGreaterThan(
      0.05,
    )
    expect(maxAbsDiff(conv11, reference.conv11)).toBeLessThan(1e-4)
    expect(maxAbsDiff(conv13, reference.conv13)).toBeLessThan(1e-4)
    expect(detector.model.getLayer('head0_class').getWeights()[0].dataSync()).toEqual(headBefore)
    tf.dispose([x, conv11, conv13, reference.conv11, reference.conv13])
    detector.model.dispose()
  }, 60_000)

  it('refuses a backbone of another width, naming the layer and both shapes, and changes nothing', () => {
    const detector = buildDetector(preset('mobilenet-ssd-320x240')) // mobilenet-v1 at half width
    const before = detector.model.getWeights().map((w) => w.dataSync().slice())
    expect(() => initFromPretrained(detector.model, SOURCE)).toThrow(
      /face-api-ssd-mobilenetv1 does not fit layer conv1: its kernel is \[3,3,3,16\] in mobilenet-ssd-320x240 but \[3,3,3,32\] in MobilenetV1\/Conv2d_0_pointwise\/weights/,
    )
    detector.model.getWeights().forEach((w, k) => expect(w.dataSync()).toEqual(before[k]))
    detector.model.dispose()
  })

  it('refuses another backbone: AlexNet, whose conv1 is another shape, and DarkNet-tiny, which lacks the layers', () => {
    const alexnet = buildDetector(preset('alexnet-ssd-320x240'))
    expect(() => initFromPretrained(alexnet.model, SOURCE)).toThrow(
      'face-api-ssd-mobilenetv1 does not fit layer conv1: its kernel is [11,11,3,64] in alexnet-ssd-320x240 but [3,3,3,32] in MobilenetV1/Conv2d_0_pointwise/weights',
    )
    alexnet.model.dispose()
    const darknet = buildDetector(preset('darknet-tiny-ssd-320x240'))
    expect(() => initFromPretrained(darknet.model, SOURCE)).toThrow(
      /face-api-ssd-mobilenetv1 has weights for layer \w+, which darknet-tiny-ssd-320x240 does not have/,
    )
    darknet.model.dispose()
  })

  it('refuses a source missing one weight, naming the layer and the weight', () => {
    const detector = buildDetector(preset('mobilenet-v1-ssd-300'))
    const weights = pretrainedSources[SOURCE].load()
    weights.layers.get('conv_dw_5_bn')!.get('moving_variance')!.values.dispose()
    weights.layers.get('conv_dw_5_bn')!.delete('moving_variance')
    expect(() => setPretrained(detector.model, weights, SOURCE)).toThrow(/has no weight for layer conv_dw_5_bn's moving_variance \[256\]/)
    disposePretrained(weights)
    detector.model.dispose()
  })

  it('calibrated norms keep the predictions and give a training batch the features the backbone predicts', async () => {
    const x = tf.concat([await photo('2008_002506.jpg', 300, 300), await photo('2008_001322.jpg', 300, 300)]) as tf.Tensor4D
    // A batch in training mode also moves the norms' running statistics: each case on its own model.
    const features = (calibrate: boolean) => {
      const detector = buildDetector(preset('mobilenet-v1-ssd-300'))
      const weights = pretrainedSources[SOURCE].load()
      setPretrained(detector.model, weights, SOURCE)
      const tap = tfl.model({ inputs: detector.model.inputs, outputs: detector.model.getLayer('conv_pw_11_relu6').output as tfl.SymbolicTensor })
      const before = tap.predict(x) as tf.Tensor
      if (calibrate) calibrateNorms(detector.model, weights.norms, x)
      disposePretrained(weights)
      const predicted = tap.predict(x) as tf.Tensor
      const inTraining = tap.apply(x, { training: true }) as tf.Tensor
      detector.model.dispose()
      return { before, predicted, inTraining }
    }
    const relative = (a: tf.Tensor, b: tf.Tensor) => maxAbsDiff(a, b) / tf.tidy(() => tf.max(b).dataSync()[0])
    const plain = features(false)
    const calibrated = features(true)
    expect(maxAbsDiff(calibrated.predicted, calibrated.before)).toBeLessThan(1e-3)
    expect(relative(plain.inTraining, plain.predicted)).toBeGreaterThan(0.3)
    expect(relative(calibrated.inTraining, calibrated.predicted)).toBeLessThan(0.01)
    tf.dispose([x, ...Object.values(plain), ...Object.values(calibrated)])
  }, 60_000)
})
