// Every backbone, as its detector preset, trains on the wasm backend: a step at batch 2 with a stand-in loss on both
// outputs (mean squared error against random targets — the SSD loss is tested with the loss module) gives a finite
// loss, changes every kernel from the first conv to the head (gradients reach the whole network) and batch norm's
// moving statistics (the model ran in training mode), and a second step leaves as many tensors and backend buffers as
// the first did.
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine, memorySnapshot } from '../../../src/main/engine/index.js'
import { buildDetector, type Detector } from '../../../src/main/detector/model.js'
import { preset } from '../../../src/main/detector/presets.js'

beforeAll(async () => {
  expect((await initEngine({ backend: 'wasm' })).name).toBe('wasm')
})

interface Batch {
  images: tf.Tensor4D
  classTargets: tf.Tensor3D
  boxTargets: tf.Tensor3D
}

function randomBatch(d: Detector, size: number, seed: number): Batch {
  const { width, height } = d.config.input
  const classes = d.config.classes.length + 1
  return {
    images: tf.randomUniform([size, height, width, 3], 0, 255, 'float32', seed),
    classTargets: tf.randomNormal([size, d.anchorCount, classes], 0, 1, 'float32', seed + 1),
    boxTargets: tf.randomNormal([size, d.anchorCount, 4], 0, 1, 'float32', seed + 2),
  }
}

function step(d: Detector, optimizer: tf.Optimizer, b: Batch): number {
  const loss = optimizer.minimize(() => {
    const [classLogits, boxOffsets] = d.model.apply(b.images, { training: true }) as tf.Tensor[]
    return tf.add(tf.losses.meanSquaredError(b.classTargets, classLogits), tf.losses.meanSquaredError(b.boxTargets, boxOffsets)) as tf.Scalar
  }, true) as tf.Scalar
  const value = loss.dataSync()[0]
  loss.dispose()
  return value
}

// One preset per backbone; the 320×240 ones where there is one (the cheaper input), ResNet-18 at 300×300.
const presets = ['alexnet-ssd-320x240', 'mobilenet-ssd-320x240', 'mobilenet-v2-ssd-320x240', 'darknet-tiny-ssd-320x240', 'resnet18-ssd-300']

describe.each(presets)('%s', (name) => {
  it('trains a step on wasm: finite loss, every kernel and moving statistic changed, no tensor left behind', () => {
    const d = buildDetector(preset(name))
    const batch = randomBatch(d, 2, 11)
    // Plain SGD keeps no slots, so a second step must not add a single tensor.
    const optimizer = tf.train.sgd(0.01)
    const watched = d.model.weights.filter((w) => w.shape.length >= 2 || w.originalName.endsWith('/moving_mean'))
    const before = watched.map((w) => w.read().clone())

    expect(Number.isFinite(step(d, optimizer, batch))).toBe(true)
    const unchanged = tf.tidy(() =>
      watched.filter((w, i) => tf.all(tf.equal(w.read(), before[i])).dataSync()[0] === 1).map((w) => w.originalName),
    )
    expect(unchanged).toEqual([])
    expect(watched.map((w) => w.originalName)).toEqual(expect.arrayContaining(['head0_class/kernel', 'head5_box/kernel']))
    tf.dispose(before)

    const afterFirst = memorySnapshot()
    expect(Number.isFinite(step(d, optimizer, batch))).toBe(true)
    const afterSecond = memorySnapshot()
    expect(afterSecond.numTensors).toBe(afterFirst.numTensors)
    expect(afterSecond.backendBuffers).toBe(afterFirst.backendBuffers)
    expect(afterSecond.numBytes).toBe(afterFirst.numBytes)

    tf.dispose([batch.images, batch.classTargets, batch.boxTargets])
    optimizer.dispose()
    d.model.dispose()
  }, 60_000)
})
