// The whole detector, end to end on the wasm backend: anchors, matcher, SSD loss with hard-negative mining, AlexNet
// backbone, decoding with NMS and VOC AP — trained for a few hundred steps on shapes drawn on noise, it must find them.
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectorConfigInput } from '../../../src/main/detector/config.js'
import { buildDetector } from '../../../src/main/detector/model.js'
import { DetectorTrainer } from '../../../src/main/detector/training.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { evaluate } from '../../../src/main/eval/index.js'
import { syntheticShapes } from '../../unit/detector/synthetic.js'

const SIZE = 64
const IMAGES = 32
const BATCH = 8
const STEPS = 200

const config: DetectorConfigInput = {
  name: 'synthetic-shapes',
  input: { width: SIZE, height: SIZE },
  classes: ['shape'],
  backbone: { name: 'alexnet' },
  featureMaps: [
    { size: [8, 8], scale: 0.3, aspectRatios: [1] },
    { size: [4, 4], scale: 0.45, aspectRatios: [1] },
    { size: [2, 2], scale: 0.65, aspectRatios: [1] },
  ],
  matcher: { pos: 0.5, neg: 0.4 },
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
  loss: { name: 'ssd' },
  decoding: { scoreThreshold: 0.05, iouThreshold: 0.45, topK: 20 },
}

let trainer: DetectorTrainer
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  trainer = new DetectorTrainer(buildDetector(config), tf.train.adam(1e-3))
})
afterAll(() => {
  trainer.detector.model.dispose()
  trainer.dispose()
})

describe('an SSD trained on synthetic shapes', () => {
  it(`finds them: AP50 ≥ 0.9 after ${STEPS} steps`, { timeout: 300_000 }, async () => {
    const data = syntheticShapes(IMAGES, SIZE, 7)
    const images = tf.tensor4d(data.pixels, [IMAGES, SIZE, SIZE, 3])
    const labels = data.boxes.map((boxes) => ({ boxes, labels: boxes.map(() => 1) }))
    const losses: number[] = []
    for (let step = 0; step < STEPS; step++) {
      const start = (step * BATCH) % IMAGES
      const batch = tf.slice(images, [start, 0, 0, 0], [BATCH, -1, -1, -1]) as tf.Tensor4D
      losses.push(trainer.step(batch, labels.slice(start, start + BATCH)).loss)
      batch.dispose()
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)) / 4)

    const detections = await trainer.predict(images)
    images.dispose()
    const result = evaluate({
      classes: [{ id: 1, name: 'shape' }],
      groundTruth: data.boxes.flatMap((boxes, imageId) => boxes.map((box) => ({ imageId, classId: 1, box }))),
      detections: detections.flatMap((found, imageId) => found.map((d) => ({ imageId, classId: d.classIndex, box: d.box, score: d.score }))),
    })
    expect(result.ap50).toBeGreaterThanOrEqual(0.9)
  })

  it('stops with a clear message instead of applying a NaN step', () => {
    // A diverged run: one weight of the class head has become NaN, so every loss is NaN.
    const { model } = trainer.detector
    const head = model.getLayer('head0_class')
    const [kernel, bias] = head.getWeights()
    head.setWeights([kernel, tf.fill(bias.shape, NaN)])
    const before = model.getWeights().map((w) => w.dataSync().slice())
    const images = tf.fill([1, SIZE, SIZE, 3], 100) as tf.Tensor4D
    expect(() => trainer.step(images, [{ boxes: [[0.1, 0.1, 0.5, 0.5]], labels: [1] }])).toThrow(
      /training stopped at step \d+: the loss is not a finite number/,
    )
    images.dispose()
    // Nothing was applied: every weight is as it was (NaN stays NaN, everything else unchanged).
    const after = model.getWeights().map((w) => w.dataSync())
    expect(after.every((w, i) => w.every((v, j) => Object.is(v, before[i][j])))).toBe(true)
  })
})
