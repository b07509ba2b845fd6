import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { assertFinite, detectionLoss, NonFiniteLossError } from '../../../src/main/detector/loss.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

const SSD = { name: 'ssd', negPosRatio: 3, boxWeight: 1 } as const

/** Logits for 2 classes (background, face) that give background probability `p` to each anchor. */
const logitsFor = (pBackground: number[][]) => tf.tensor3d(pBackground.map((row) => row.map((p) => [Math.log(p), Math.log(1 - p)])))

const ce = (p: number) => -Math.log(p)

describe('SSD loss', () => {
  it('counts the positives and exactly the 3 hardest negatives per positive, normalised by the positives', () => {
    // One image, 8 anchors: anchor 0 positive (face prob 0.6), anchor 1 ignored, 2–7 negatives of rising hardness.
    const pBg = [[0.4, 0.5, 0.9, 0.8, 0.7, 0.6, 0.3, 0.2]]
    const labels = tf.tensor2d([[1, -1, 0, 0, 0, 0, 0, 0]], undefined, 'int32')
    const parts = detectionLoss(SSD, { classLogits: logitsFor(pBg), boxOffsets: tf.zeros([1, 8, 4]) }, { labels, offsets: tf.zeros([1, 8, 4]) })
    // Positive: −log(0.6). Hardest 3 negatives have the lowest background probability: 0.2, 0.3, 0.6.
    const expected = ce(0.6) + ce(0.2) + ce(0.3) + ce(0.6)
    expect(parts.classification.dataSync()[0]).toBeCloseTo(expected, 5)
    expect(parts.positives.dataSync()[0]).toBe(1)
    expect(parts.box.dataSync()[0]).toBe(0)
  })

  it('mines per image, and still teaches background on an image with no positives', () => {
    const pBg = [
      [0.4, 0.9, 0.8, 0.7, 0.6, 0.5],
      [0.9, 0.2, 0.95, 0.99, 0.97, 0.96],
    ]
    const labels = tf.tensor2d(
      [
        [1, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
      ],
      undefined,
      'int32',
    )
    const parts = detectionLoss(SSD, { classLogits: logitsFor(pBg), boxOffsets: tf.zeros([2, 6, 4]) }, { labels, offsets: tf.zeros([2, 6, 4]) })
    // Image 1: positive + its 3 hardest negatives (0.5, 0.6, 0.7). Image 2 mines as if it had one positive: 0.2, 0.9, 0.95.
    const expected = ce(0.6) + ce(0.5) + ce(0.6) + ce(0.7) + ce(0.2) + ce(0.9) + ce(0.95)
    expect(parts.classification.dataSync()[0]).toBeCloseTo(expected / 1, 5)
  })

  it('uses smooth L1 on the offsets of positives only', () => {
    const labels = tf.tensor2d([[1, 0]], undefined, 'int32')
    const predicted = tf.tensor3d([
      [
        [0.5, -2, 0, 0],
        [9, 9, 9, 9],
      ],
    ])
    const parts = detectionLoss(SSD, { classLogits: logitsFor([[0.5, 0.5]]), boxOffsets: predicted }, { labels, offsets: tf.zeros([1, 2, 4]) })
    // ½·0.5² + (2 − ½) = 0.125 + 1.5; the negative's wild offsets do not count.
    expect(parts.box.dataSync()[0]).toBeCloseTo(1.625, 6)
  })

  it('sends gradients to both outputs', () => {
    const logits = tf.variable(tf.randomNormal([2, 30, 3], 0, 1, 'float32', 3))
    const offsets = tf.variable(tf.randomNormal([2, 30, 4], 0, 1, 'float32', 4))
    const labels = tf.tensor2d(
      Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 1 + (i % 2) : i % 11 === 0 ? -1 : 0)),
      [2, 30],
      'int32',
    )
    const { grads } = tf.variableGrads(
      () =>
        detectionLoss(
          SSD,
          { classLogits: logits as unknown as tf.Tensor3D, boxOffsets: offsets as unknown as tf.Tensor3D },
          { labels, offsets: tf.zeros([2, 30, 4]) },
        ).total,
    )
    expect(tf.sum(tf.abs(grads[logits.name])).dataSync()[0]).toBeGreaterThan(0)
    expect(tf.sum(tf.abs(grads[offsets.name])).dataSync()[0]).toBeGreaterThan(0)
  })
})

describe('focal loss', () => {
  it('is α-weighted cross-entropy over every counted anchor when γ = 0', () => {
    const pBg = [[0.4, 0.5, 0.9, 0.2]]
    const labels = tf.tensor2d([[1, -1, 0, 0]], undefined, 'int32')
    const parts = detectionLoss(
      { name: 'focal', alpha: 0.25, gamma: 0, boxWeight: 1 },
      { classLogits: logitsFor(pBg), boxOffsets: tf.zeros([1, 4, 4]) },
      { labels, offsets: tf.zeros([1, 4, 4]) },
    )
    expect(parts.classification.dataSync()[0]).toBeCloseTo(0.25 * ce(0.6) + 0.75 * (ce(0.9) + ce(0.2)), 5)
  })

  it('down-weights easy anchors by (1 − p)^γ', () => {
    const pBg = [[0.4, 0.99]]
    const labels = tf.tensor2d([[1, 0]], undefined, 'int32')
    const parts = detectionLoss(
      { name: 'focal', alpha: 0.5, gamma: 2, boxWeight: 1 },
      { classLogits: logitsFor(pBg), boxOffsets: tf.zeros([1, 2, 4]) },
      { labels, offsets: tf.zeros([1, 2, 4]) },
    )
    const expected = 0.5 * 0.4 ** 2 * ce(0.6) + 0.5 * 0.01 ** 2 * ce(0.99)
    expect(parts.classification.dataSync()[0]).toBeCloseTo(expected, 6)
  })
})

describe('a loss that is not a number', () => {
  it('stops training with a message that says what to do', () => {
    expect(() => assertFinite(12, { classification: NaN, box: 0.3 })).toThrow(NonFiniteLossError)
    expect(() => assertFinite(12, { classification: 1, box: Infinity })).toThrow(
      /step 12: the loss is not a finite number .* Lower the learning rate/,
    )
    expect(() => assertFinite(1, { classification: 1, box: 2 })).not.toThrow()
  })
})
