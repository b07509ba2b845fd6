// A run's data-parallel training (train/parallel.ts) is the same training as one thread's: from the same weights, two
// replicas on worker threads take the same SGD steps as DetectorTrainer on the whole batch — uneven shards (7 images
// as 4 + 3), a learning rate that changes every step as the schedule's does, and a last batch of one image (one replica
// idle) — because the targets are made on the whole batch and the loss is normalised by the whole batch's positives
// (exact, not the usual per-shard approximation). And a NaN loss stops the step before any replica applies it.
//
// The detector is the synthetic AlexNet SSD at 64×64 (no batch norm, whose per-shard statistics would differ by
// design). Plain SGD, as in tests/integration/engine/data-parallel.test.ts: its update is proportional to the
// gradient, so the only difference is float32 rounding of sums taken in another order (per shard, then added);
// Adam would turn the rounding of a near-zero gradient element into a step of up to the learning rate.
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectorConfigInput } from '../../../src/main/detector/config.js'
import { buildDetector } from '../../../src/main/detector/model.js'
import { DetectorTrainer, type ImageLabels } from '../../../src/main/detector/training.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { ParallelDetectorTrainer, trainingWorkers } from '../../../src/main/train/parallel.js'
import { syntheticShapes } from '../../unit/detector/synthetic.js'

const SIZE = 64
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
const data = syntheticShapes(8, SIZE, 3)
const labels: ImageLabels[] = data.boxes.map((boxes) => ({ boxes, labels: boxes.map(() => 1) }))
/** Steps as (first image, images, learning rate): 7 images split 4 + 3 twice, then 1 image over 2 replicas. */
const STEPS = [
  { from: 0, count: 7, lr: 0.005 },
  { from: 1, count: 7, lr: 0.0025 },
  { from: 7, count: 1, lr: 0.00125 },
]
const pixels = (from: number, count: number) => ({
  data: data.pixels.slice(from * SIZE * SIZE * 3, (from + count) * SIZE * SIZE * 3),
  shape: [count, SIZE, SIZE, 3],
})

/** Largest difference relative to the tensor's largest magnitude (so near-zero elements do not dominate). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  // An all-zero tensor (a bias no positive reached) compares absolutely.
  return scale === 0 ? diff : diff / scale
}

const weightsOf = (t: DetectorTrainer) => t.detector.model.weights.map((w) => w.read().dataSync().slice() as Float32Array)

let initial: Float32Array[]
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  const d = withSeededRandom(5, () => buildDetector(config))
  initial = d.model.weights.map((w) => w.read().dataSync().slice() as Float32Array)
  d.model.dispose()
})

/** A DetectorTrainer on plain SGD, starting from `initial`. */
function sgdTrainer(): DetectorTrainer {
  const detector = buildDetector(config)
  const tensors = detector.model.weights.map((w, k) => tf.tensor(initial[k], w.shape as number[]))
  detector.model.setWeights(tensors)
  tf.dispose(tensors)
  return new DetectorTrainer(detector, tf.train.sgd(STEPS[0].lr))
}

function disposeTrainer(t: DetectorTrainer) {
  t.dispose()
  t.optimizer.dispose()
  t.detector.model.dispose()
}

describe('data-parallel detector training over 2 replicas', () => {
  let local: DetectorTrainer
  let parallel: ParallelDetectorTrainer
  beforeAll(async () => {
    local = sgdTrainer()
    parallel = await ParallelDetectorTrainer.start(local, { workers: 2, optimizer: { name: 'sgd', learningRate: 1 }, backend: 'wasm' })
  }, 60_000)
  afterAll(async () => {
    await parallel.close()
    disposeTrainer(local)
  })

  it('takes the same SGD steps as one thread on the whole batch: same losses and weights', { timeout: 60_000 }, async () => {
    const single = sgdTrainer()
    try {
      for (const [i, { from, count, lr }] of STEPS.entries()) {
        const got = await parallel.step(pixels(from, count), labels.slice(from, from + count), lr)
        ;(single.optimizer as tf.SGDOptimizer).setLearningRate(lr)
        const images = tf.tensor4d(pixels(from, count).data, [count, SIZE, SIZE, 3])
        const want = single.step(images, labels.slice(from, from + count))
        images.dispose()
        expect(got.positives, `positives of step ${i + 1}`).toBe(want.positives)
        // Float32 sums over 7 images in one kernel or as 4 + 3: rounding, orders of magnitude below 1e-4.
        for (const part of ['loss', 'classification', 'box'] as const) {
          expect(Math.abs(got[part] - want[part]) / Math.abs(want[part]), `${part} of step ${i + 1}`).toBeLessThan(1e-4)
        }
      }
      await parallel.syncWeights()
      const got = weightsOf(local)
      const want = weightsOf(single)
      let moved = 0
      local.detector.model.weights.forEach((w, k) => {
        moved = Math.max(moved, relativeError(initial[k], want[k]))
        // The same tolerance as the engine's test: rounding of the gradient sums times a learning rate ≤ 0.005.
        expect(relativeError(got[k], want[k]), w.name).toBeLessThan(1e-4)
      })
      // Training moved the weights by far more than the tolerance, so agreement is not "nothing happened"; and a
      // weighted average of per-shard normalised losses (or a learning rate not followed) would be off by percents.
      expect(moved).toBeGreaterThan(1e-2)
    } finally {
      disposeTrainer(single)
    }
  })

  it('stops at a NaN loss naming the step, and no replica applies it', { timeout: 60_000 }, async () => {
    // A diverged run: one weight of the class head is NaN in every replica, so every shard's loss is NaN.
    const { model } = local.detector
    const head = model.getLayer('head0_class')
    const [kernel, bias] = head.getWeights()
    head.setWeights([kernel, tf.fill(bias.shape, NaN)])
    const poisoned = await ParallelDetectorTrainer.start(local, { workers: 2, optimizer: { name: 'sgd', learningRate: 0.01 }, backend: 'wasm' })
    try {
      const start = weightsOf(local)
      await expect(poisoned.step(pixels(0, 4), labels.slice(0, 4))).rejects.toThrow(
        /training stopped at step 1: the loss is not a finite number/,
      )
      await poisoned.syncWeights()
      const after = weightsOf(local)
      // NaN stays NaN, everything else unchanged.
      expect(after.every((w, i) => w.every((v, j) => Object.is(v, start[i][j])))).toBe(true)
    } finally {
      await poisoned.close()
    }
  })
})

describe('trainingWorkers', () => {
  it('is one per core, at most the batch size, and KINDLING_TRAIN_WORKERS overrides the cores', () => {
    expect(trainingWorkers(8, { KINDLING_TRAIN_WORKERS: '2' })).toBe(2)
    expect(trainingWorkers(1, { KINDLING_TRAIN_WORKERS: '2' })).toBe(1)
    expect(trainingWorkers(8, { KINDLING_TRAIN_WORKERS: '1' })).toBe(1)
    expect(trainingWorkers(3, { KINDLING_TRAIN_WORKERS: '6' })).toBe(3)
    expect(trainingWorkers(1024, {})).toBeGreaterThanOrEqual(1)
  })
})
