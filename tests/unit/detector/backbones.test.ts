// Backbones: each builds at 300×300 and at 320×240 (non-square) with the map sizes a config can state — strides 8, 16,
// 32 and extras halving down to 1×1 — runs forward on wasm, and reports parameters and multiply-adds. Where a figure is
// published, the backbone body (the network without its classifier) matches it: that is what pins each layout to its
// paper, layer by layer.
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import type { Backbone, BackboneName, DetectorConfigInput } from '../../../src/main/detector/config.js'
import { backboneNames, backbones, featurePyramid, inputScaling } from '../../../src/main/detector/backbones/index.js'
import { mapSize } from '../../../src/main/detector/backbones/layers.js'
import { makeDivisible } from '../../../src/main/detector/backbones/mobilenet-v2.js'
import { buildDetector, detectorPart } from '../../../src/main/detector/model.js'
import { summarize, totalsByPart } from '../../../src/main/detector/summary.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

const sizes: Record<string, [number, number][]> = {
  '300×300': [
    [38, 38],
    [19, 19],
    [10, 10],
    [5, 5],
    [3, 3],
    [2, 2],
    [1, 1],
  ],
  '320×240': [
    [30, 40],
    [15, 20],
    [8, 10],
    [4, 5],
    [2, 3],
    [1, 2],
    [1, 1],
  ],
}
const inputs: Record<string, { width: number; height: number }> = {
  '300×300': { width: 300, height: 300 },
  '320×240': { width: 320, height: 240 },
}

function configFor(backbone: Backbone, input: string): DetectorConfigInput {
  return {
    name: `${backbone.name} test`,
    input: inputs[input],
    classes: ['face'],
    backbone,
    featureMaps: sizes[input].map((size, i) => ({ size, scale: 0.1 + 0.12 * i, aspectRatios: [1, 0.8] })),
    matcher: { pos: 0.5, neg: 0.4 },
    boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
    loss: { name: 'ssd' },
    decoding: {},
  }
}

const backboneConfig = (name: BackboneName): Backbone =>
  name === 'mobilenet-v1' || name === 'mobilenet-v2' ? { name, alpha: 1 } : ({ name } as Backbone)

/** The backbone alone (its native maps, no extras) on a square input: the classifier network minus its classifier. */
function body(backbone: Backbone, size: number) {
  const image = tfl.input({ shape: [size, size, 3] })
  const model = tfl.model({ inputs: image, outputs: featurePyramid(image, backbone, backbones[backbone.name].nativeMaps) })
  const summary = summarize(model)
  model.dispose()
  return summary
}

describe.each(backboneNames)('%s', (name) => {
  it.each(Object.keys(sizes))('builds at %s with maps at strides 8, 16, 32 and extras down to 1×1, and runs forward', (input) => {
    const before = tf.memory().numTensors
    const detector = buildDetector(configFor(backboneConfig(name), input))
    expect(detector.maps.map((m) => m.size)).toEqual(sizes[input])
    const summary = summarize(detector.model)
    const parts = totalsByPart(summary, detectorPart)
    for (const part of ['backbone', 'extras', 'head'] as const) {
      expect(parts[part].params).toBeGreaterThan(0)
      expect(parts[part].macs).toBeGreaterThan(0)
    }
    expect(summary.macs).toBe(parts.backbone.macs + parts.extras.macs + parts.head.macs)
    const { width, height } = inputs[input]
    const [cls, box] = tf
      .tidy(() => detector.model.predict(tf.zeros([1, height, width, 3])) as tf.Tensor[])
      .map((t) => {
        const shape = t.shape
        t.dispose()
        return shape
      })
    expect(cls).toEqual([1, detector.anchorCount, 2])
    expect(box).toEqual([1, detector.anchorCount, 4])
    detector.model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('builds no layer past the last map asked for (unused layers would hold weights nobody frees)', () => {
    const before = tf.memory().numTensors
    const image = tfl.input({ shape: [96, 96, 3] })
    const [map] = featurePyramid(image, backboneConfig(name), 1)
    expect(mapSize(map)).toEqual([12, 12])
    const model = tfl.model({ inputs: image, outputs: map })
    expect(model.outputs[0]).toBe(map)
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('scales 0–255 pixels into its range in the model itself', () => {
    const { scale, offset } = inputScaling(backboneConfig(name))
    const lo = offset
    const hi = 255 * scale + offset
    // Every convention maps black near the bottom of a range about 1–4 wide: [0, 1], [−1, 1] or ImageNet mean/std.
    expect(hi - lo).toBeGreaterThanOrEqual(1)
    expect(hi - lo).toBeLessThanOrEqual(4.5)
    const image = tfl.input({ shape: [8, 8, 3] })
    const [map] = featurePyramid(image, backboneConfig(name), 1)
    const model = tfl.model({ inputs: image, outputs: map })
    expect(model.layers[1].getClassName()).toBe('Rescaling')
    const scaled = tf.tidy(() => (model.layers[1].apply(tf.tensor1d([0, 255])) as tf.Tensor).arraySync() as number[])
    expect(scaled[0]).toBeCloseTo(lo, 5)
    expect(scaled[1]).toBeCloseTo(hi, 5)
    model.dispose()
  })
})

describe('published figures for the backbone bodies (networks without their classifiers)', () => {
  it("MobileNet V1 1.0 at 224: Keras' 3,228,864 parameters without the top, and the paper's 569M Mult-Adds less the 1.02M of its classifier", () => {
    const s = body({ name: 'mobilenet-v1', alpha: 1 }, 224)
    expect(s.params).toBe(3_228_864)
    expect(s.macs / (569e6 - 1024 * 1000)).toBeCloseTo(1, 2)
  })

  it.each([
    [0.75, 325],
    [0.5, 149],
    [0.25, 41],
  ])("MobileNet V1 %s at 224: the paper's %sM Mult-Adds (Table 6) less its classifier", (alpha, millions) => {
    const s = body({ name: 'mobilenet-v1', alpha }, 224)
    expect(Math.abs(s.macs / (millions * 1e6 - 1024 * alpha * 1000) - 1)).toBeLessThan(0.01)
  })

  it("MobileNet V2 1.0 at 224: Keras' 2,257,984 parameters without the top, and the paper's 300M multiply-adds less the 1.28M of its classifier", () => {
    const s = body({ name: 'mobilenet-v2', alpha: 1 }, 224)
    expect(s.params).toBe(2_257_984)
    expect(Math.abs(s.macs / (300e6 - 1280 * 1000) - 1)).toBeLessThan(0.01)
  })

  it.each([
    [1.4, 582, 1792],
    [0.5, 97, 1280],
    [0.35, 59, 1280],
  ])('MobileNet V2 %s at 224: the published %sM multiply-adds less its classifier', (alpha, millions, last) => {
    const s = body({ name: 'mobilenet-v2', alpha }, 224)
    expect(Math.abs(s.macs / (millions * 1e6 - last * 1000) - 1)).toBeLessThan(0.01)
  })

  it('MobileNet V2 rounds channels to multiples of 8 the reference way', () => {
    expect([16 * 0.35, 24 * 0.35, 32 * 0.5, 96 * 0.75, 1280 * 1.4].map((v) => makeDivisible(v))).toEqual([8, 8, 16, 72, 1792])
  })

  it("ResNet-18 at 224: torchvision's 11,689,512 parameters less the fc layer's 513,000, and its 1.82G multiply-adds", () => {
    const s = body({ name: 'resnet-18' }, 224)
    // torchvision counts batch norm's moving statistics as buffers, not parameters: compare the trainable ones.
    expect(s.trainableParams).toBe(11_689_512 - 513_000)
    expect(Math.abs(s.macs / (1.814e9 - 512 * 1000) - 1)).toBeLessThan(0.005)
  })

  it("DarkNet-tiny at 416: darknet's own 3.74 BFLOPs (2 per multiply-add) for yolov3-tiny.cfg layers 0–12", () => {
    const s = body({ name: 'darknet-tiny' }, 416)
    // Per layer darknet prints 0.150, 5 × 0.399 and 1.595 BFLOPs.
    expect(Math.abs((2 * s.macs) / 1e9 - 3.74)).toBeLessThan(0.01)
    // Conv weights 3·16·9 + 16·32·9 + … + 512·1024·9, and four batch norm values per channel.
    expect(s.params).toBe(6_290_352 + 4 * (16 + 32 + 64 + 128 + 256 + 512 + 1024))
  })

  it("AlexNet: torchvision's 2,469,696 parameters for the five convs, and the multiply-adds of its 'same'-padded layout", () => {
    const s = body({ name: 'alexnet' }, 224)
    expect(s.params).toBe(2_469_696)
    // conv1 56²·11²·3·64, conv2 28²·5²·64·192, conv3–5 14²·3²·(192·384 + 384·256 + 256·256).
    const macs = 56 * 56 * 121 * 3 * 64 + 28 * 28 * 25 * 64 * 192 + 14 * 14 * 9 * (192 * 384 + 384 * 256 + 256 * 256)
    expect(s.macs).toBe(macs)
  })
})
