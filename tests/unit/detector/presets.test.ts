// Presets: each is a valid config that builds — its stated map sizes are the network's — and predicts for exactly the
// anchors its maps describe; anchors suit faces (near-square, starting small on the stride-8 map, no gaps in scale).
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { anchorsFor } from '../../../src/main/detector/anchors.js'
import { DetectorConfig } from '../../../src/main/detector/config.js'
import { buildDetector } from '../../../src/main/detector/model.js'
import { preset, presetNames } from '../../../src/main/detector/presets.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

const required = [
  'alexnet-ssd-300',
  'alexnet-ssd-320x240',
  'mobilenet-v1-ssd-300',
  'mobilenet-ssd-320x240',
  'mobilenet-v2-ssd-320x240',
  'darknet-tiny-ssd-320x240',
  'resnet18-ssd-300',
]

it('offers a preset for every backbone, at 300×300 and at 320×240', () => {
  expect(presetNames).toEqual(expect.arrayContaining(required))
  const backbones = new Set(presetNames.map((n) => preset(n).backbone.name))
  expect([...backbones].sort()).toEqual(['alexnet', 'darknet-tiny', 'mobilenet-v1', 'mobilenet-v2', 'resnet-18'])
})

it('refuses an unknown name, listing the presets', () => {
  expect(() => preset('mobilenet-ssd-300x300')).toThrow(
    `no detector preset is called "mobilenet-ssd-300x300"; the presets are ${presetNames.join(', ')}`,
  )
})

it('returns a fresh copy each time, so changing one changes no other', () => {
  const a = preset('mobilenet-ssd-320x240')
  a.featureMaps[0].scale = 0.05
  a.classes.push('smiling')
  expect(preset('mobilenet-ssd-320x240').featureMaps[0].scale).toBe(0.1)
  expect(preset('mobilenet-ssd-320x240').classes).toEqual(['face'])
})

describe.each(presetNames)('%s', (name) => {
  it('is a complete face config that survives being stored as JSON', () => {
    const config = preset(name)
    expect(config.name).toBe(name)
    expect(config.classes).toEqual(['face'])
    expect(config.matcher).toEqual({ pos: 0.5, neg: 0.4 })
    expect(config.boxCoder.variances).toEqual([0.1, 0.1, 0.2, 0.2])
    expect(config.loss).toEqual({ name: 'ssd', negPosRatio: 3, boxWeight: 1 })
    expect(config.decoding).toEqual({ scoreThreshold: 0.3, iouThreshold: 0.45, topK: 50 })
    expect(DetectorConfig.parse(JSON.parse(JSON.stringify(config)))).toEqual(config)
    expect(name).toMatch(config.input.width === config.input.height ? /-300$/ : /-320x240$/)
  })

  it('has anchors for faces: stride 8 first, small there, scales rising with no coverage gap, near-square', () => {
    const { input, featureMaps } = preset(name)
    expect(featureMaps[0].size).toEqual([Math.ceil(input.height / 8), Math.ceil(input.width / 8)])
    expect(featureMaps[0].scale).toBeLessThanOrEqual(0.1)
    for (let i = 1; i < featureMaps.length; i++) {
      // A ratio above 4 between consecutive scales leaves face sizes that match no anchor at IoU 0.5 (docs/detector.md#scales).
      const ratio = featureMaps[i].scale / featureMaps[i - 1].scale
      expect(ratio).toBeGreaterThan(1)
      expect(ratio).toBeLessThanOrEqual(4)
    }
    const ratios = featureMaps.flatMap((m) => m.aspectRatios)
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.5)
    expect(Math.max(...ratios)).toBeLessThanOrEqual(2)
  })

  it("builds, and predicts for Σ rows · cols · anchors per cell anchors — the anchors module's anchors", () => {
    const config = preset(name)
    const detector = buildDetector(config)
    const A = config.featureMaps.reduce((s, m) => s + m.size[0] * m.size[1] * (m.aspectRatios.length + (m.extraScale ? 1 : 0)), 0)
    expect(detector.anchorCount).toBe(A)
    expect(anchorsFor(config).count).toBe(A)
    expect(detector.maps.map((m) => m.size)).toEqual(config.featureMaps.map((m) => m.size))
    const outputs = detector.model.predict(tf.zeros([2, config.input.height, config.input.width, 3])) as tf.Tensor[]
    expect(outputs.map((o) => o.shape)).toEqual([
      [2, A, 2],
      [2, A, 4],
    ])
    tf.dispose(outputs)
    detector.model.dispose()
  })
})
