// Fine-tuning with new classes starts from the parent's weights: every layer equal to the parent's, the class
// predictors' background and carried classes moved to their new index (so the new model scores them exactly as the
// parent did), the new class's channels fresh. And a frozen backbone really stays put — its batch norms' moving
// statistics included — until it is unfrozen.
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine, ScheduledAdam } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import type { DetectorConfigInput, FeatureMap } from '../../../src/main/detector/config.js'
import { buildDetector, detectorPart } from '../../../src/main/detector/model.js'
import { remapScoreChannels, scoreSources, transferWeights } from '../../../src/main/detector/transfer.js'
import { DetectorTrainer, type ImageLabels } from '../../../src/main/detector/training.js'
import { syntheticShapes } from './synthetic.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

const map = (size: [number, number], aspectRatios: number[]): FeatureMap => ({ size, scale: 0.3, aspectRatios, extraScale: true })

/** MobileNet V1 at width 0.25 (batch norms in the backbone) on 96×64, maps with 3 and 2 anchors per cell. */
const config = (classes: string[]): DetectorConfigInput => ({
  name: 'small',
  input: { width: 96, height: 64 },
  classes,
  backbone: { name: 'mobilenet-v1', alpha: 0.25 },
  featureMaps: [map([8, 12], [1, 0.8]), map([4, 6], [1]), map([2, 3], [1])],
  matcher: { pos: 0.5, neg: 0.4 },
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
  loss: { name: 'ssd' },
  decoding: {},
})

const values = (t: tf.Tensor) => Array.from(t.dataSync())

describe('scoreSources', () => {
  it('maps background and each carried class to the parent score it starts from, new classes to -1', () => {
    expect(scoreSources(['face'], ['face', 'smiling-face'])).toEqual([0, 1, -1])
    expect(scoreSources(['face', 'hand'], ['smiling-face', 'hand', 'face'])).toEqual([0, -1, 2, 1])
  })

  it('refuses a class list that drops a parent class or repeats one', () => {
    expect(() => scoreSources(['face', 'hand'], ['face', 'smiling-face'])).toThrow(/keeps its parent's classes.*missing: hand/)
    expect(() => scoreSources(['face'], ['face', 'face'])).toThrow(/face is listed twice/)
  })
})

describe('remapScoreChannels', () => {
  it('moves each anchor’s carried channels, position by position, and keeps the fresh ones', () => {
    // 2 positions × 2 anchors × 2 parent scores → 3 child scores [bg, new, face].
    const parent = Float32Array.from([10, 11, 20, 21, 30, 31, 40, 41])
    const fresh = Float32Array.from({ length: 12 }, (_, i) => -i)
    const out = remapScoreChannels(parent, fresh, [0, -1, 1], 2, 2)
    expect(Array.from(out)).toEqual([10, -1, 11, 20, -4, 21, 30, -7, 31, 40, -10, 41])
  })
})

describe('transferWeights', () => {
  it('copies every layer, moves carried class channels and leaves the new class fresh', () => {
    const parent = withSeededRandom(1, () => buildDetector(config(['face'])))
    // The new class first: carried channels must move, not just be copied in place.
    const child = withSeededRandom(2, () => buildDetector(config(['smiling-face', 'face'])))
    const fresh = new Map(child.model.layers.map((l) => [l.name, l.getWeights().map(values)]))
    const report = transferWeights(parent.model, ['face'], child.model, ['smiling-face', 'face'])
    expect(report.remapped).toEqual(['head0_class', 'head1_class', 'head2_class'])

    for (const layer of child.model.layers) {
      if (layer.weights.length === 0 || report.remapped.includes(layer.name)) continue
      const from = parent.model.getLayer(layer.name)
      layer.getWeights().forEach((w, k) => expect(values(w), `${layer.name}[${k}]`).toEqual(values(from.getWeights()[k])))
    }
    for (const name of report.remapped) {
      const [pKernel, pBias] = parent.model.getLayer(name).getWeights().map(values)
      const [cKernel, cBias] = child.model.getLayer(name).getWeights().map(values)
      const [freshKernel] = fresh.get(name)!
      const anchors = pBias.length / 2
      expect(cBias.length).toBe(anchors * 3)
      for (let p = 0; p < pKernel.length / pBias.length; p++) {
        for (let a = 0; a < anchors; a++) {
          const c = (p * anchors + a) * 3
          const q = (p * anchors + a) * 2
          expect(cKernel[c]).toBe(pKernel[q]) // background
          expect(cKernel[c + 2]).toBe(pKernel[q + 1]) // face
          expect(cKernel[c + 1]).toBe(freshKernel[c + 1]) // smiling-face: fresh
        }
      }
    }
    // The new class's rows are not the parent's: nothing of them equals any of the parent's face rows.
    const [pKernel] = parent.model.getLayer('head0_class').getWeights().map(values)
    const [cKernel] = child.model.getLayer('head0_class').getWeights().map(values)
    const newRow = cKernel.filter((_, i) => i % 3 === 1)
    const faceRow = pKernel.filter((_, i) => i % 2 === 1)
    expect(newRow).not.toEqual(faceRow)

    // What a user notices: the fine-tune starts out scoring background and faces exactly as its parent does.
    const x = tf.randomUniform([2, 64, 96, 3], 0, 255, 'float32', 3)
    const [pLogits, pBoxes] = parent.model.predict(x) as tf.Tensor[]
    const [cLogits, cBoxes] = child.model.predict(x) as tf.Tensor[]
    const carried = tf.gather(cLogits, [0, 2], 2)
    expect(tf.max(tf.abs(tf.sub(carried, pLogits))).dataSync()[0]).toBeLessThan(1e-4)
    expect(values(cBoxes)).toEqual(values(pBoxes))
    tf.dispose([x, pLogits, pBoxes, cLogits, cBoxes, carried])
    parent.model.dispose()
    child.model.dispose()
  })

  it('starts a child that also reads the finest map’s features scoring the parent’s classes exactly as the parent', () => {
    const parent = withSeededRandom(1, () => buildDetector(config(['face'])))
    const child = withSeededRandom(2, () => buildDetector({ ...config(['face', 'smiling-face']), fineClassFeatures: true }))
    // The coarser maps' class predictors read their map and the finest one pooled to it (128 + 64 channels at 0.25).
    expect(child.model.getLayer('head1_class').getWeights()[0].shape).toEqual([3, 3, 128 + 64, 2 * 3])
    expect(child.model.getLayer('head2_fine').getClassName()).toBe('AveragePooling2D')
    transferWeights(parent.model, ['face'], child.model, ['face', 'smiling-face'])
    const [kernel] = child.model.getLayer('head1_class').getWeights().map(values)
    // Background's and face's weights on the fine inputs are 0; the new class's are not.
    const fineWeights = (score: number) => kernel.filter((_, i) => i % 3 === score && Math.floor(i / 6) % 192 >= 128)
    expect(fineWeights(0).every((v) => v === 0) && fineWeights(1).every((v) => v === 0)).toBe(true)
    expect(fineWeights(2).some((v) => v !== 0)).toBe(true)
    const x = tf.randomUniform([2, 64, 96, 3], 0, 255, 'float32', 3)
    const [pLogits] = parent.model.predict(x) as tf.Tensor[]
    const [cLogits] = child.model.predict(x) as tf.Tensor[]
    const carried = tf.gather(cLogits, [0, 1], 2)
    expect(tf.max(tf.abs(tf.sub(carried, pLogits))).dataSync()[0]).toBeLessThan(1e-4)
    tf.dispose([x, pLogits, cLogits, carried])
    parent.model.dispose()
    child.model.dispose()
  })

  it('refuses a parent of another architecture, naming the layer', () => {
    const parent = withSeededRandom(1, () => buildDetector({ ...config(['face']), backbone: { name: 'mobilenet-v1', alpha: 0.5 } }))
    const child = withSeededRandom(2, () => buildDetector(config(['face', 'smiling-face'])))
    expect(() => transferWeights(parent.model, ['face'], child.model, ['face', 'smiling-face'])).toThrow(/layer conv1.*\[.*\] in the parent/)
    parent.model.dispose()
    child.model.dispose()
  })
})

describe('a frozen backbone', () => {
  it('keeps its weights and batch norm statistics bit-identical while frozen, and learns again once unfrozen', () => {
    const detector = withSeededRandom(4, () => buildDetector(config(['face', 'smiling-face'])))
    const trainer = new DetectorTrainer(detector, new ScheduledAdam(0.01))
    const backbone = detector.model.layers.filter((l) => detectorPart(l.name) === 'backbone' && l.weights.length > 0)
    expect(backbone.some((l) => l.getClassName() === 'BatchNormalization')).toBe(true)
    const snapshot = () => backbone.map((l) => l.getWeights().map(values))
    const head = () => values(detector.model.getLayer('head0_class').getWeights()[0])
    const data = syntheticShapes(4, 64, 5)
    // The synthetic squares drawn on a 64×64 canvas, stretched to 96×64.
    const images = tf.image.resizeBilinear(tf.tensor4d(data.pixels, [4, 64, 64, 3]), [64, 96])
    const labels: ImageLabels[] = data.boxes.map((boxes, i) => ({ boxes, labels: boxes.map(() => 1 + (i % 2)) }))

    const before = snapshot()
    const headBefore = head()
    trainer.freeze(backbone.map((l) => l.name))
    for (let i = 0; i < 3; i++) trainer.step(images, labels)
    expect(snapshot()).toEqual(before)
    expect(head()).not.toEqual(headBefore)

    trainer.freeze([])
    trainer.step(images, labels)
    const after = snapshot()
    backbone.forEach((l, i) => {
      if (l.getClassName() === 'BatchNormalization') expect(after[i], l.name).not.toEqual(before[i])
    })
    expect(after[0]).not.toEqual(before[0])
    images.dispose()
    trainer.dispose()
    trainer.optimizer.dispose()
    detector.model.dispose()
  })
})
