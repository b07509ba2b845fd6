// The SSD training objective, as tensor ops over a whole batch: classification over every anchor the matcher did not
// ignore, plus smooth L1 on the box offsets of the positives, both normalised by the number of positives
// (Liu et al. 2016, eq. 1). Classification is either softmax cross-entropy with hard-negative mining, or focal loss.
import * as tf from '@tensorflow/tfjs-core'
import type { Loss } from './config.js'

/** What the matcher gives the loss: per anchor, a class (0 background, −1 ignored) and, for positives, offsets. */
export interface Targets {
  /** int32 [B, A]: class index ≥ 1 for a positive anchor, 0 background, −1 ignored. */
  labels: tf.Tensor2D
  /** float32 [B, A, 4]: encoded offsets of the matched box (zeros where not positive). */
  offsets: tf.Tensor3D
}

/** What the model predicts: class logits over background + classes, and box offsets, per anchor. */
export interface Predictions {
  classLogits: tf.Tensor3D
  boxOffsets: tf.Tensor3D
}

export interface LossParts {
  total: tf.Scalar
  classification: tf.Scalar
  box: tf.Scalar
  /** Positive anchors in the batch (the normaliser), as a number for logs. */
  positives: tf.Scalar
}

/** A loss that is NaN or infinite: training must stop and say so, not go on writing garbage weights. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly parts: { classification: number; box: number },
  ) {
    super(
      `training stopped at step ${step}: the loss is not a finite number (classification ${parts.classification}, ` +
        `box ${parts.box}). Lower the learning rate, or check the labels for empty or inverted boxes.`,
    )
    this.name = 'NonFiniteLossError'
  }
}

/** Throw NonFiniteLossError unless both parts are finite; call with the numbers read back after a step. */
export function assertFinite(step: number, parts: { classification: number; box: number }): void {
  if (!Number.isFinite(parts.classification) || !Number.isFinite(parts.box)) throw new NonFiniteLossError(step, parts)
}

/**
 * Images without a single positive would get no negatives from a 3:1 ratio, and the model would never learn that an
 * empty scene is empty; each image mines at least this many negatives, as if it had one positive.
 */
const MIN_POSITIVES_FOR_MINING = 1

/**
 * The loss of a batch. `positivesInBatch` is for a shard of a larger batch (data-parallel training): the whole batch's
 * positives, to normalise by instead of the shard's own — every other term is a sum over images (hard negatives are
 * mined per image), so the shards' losses and gradients then add up exactly to the whole batch's.
 */
export function detectionLoss(config: Loss, predictions: Predictions, targets: Targets, positivesInBatch?: number): LossParts {
  return tf.tidy(() => {
    const { labels, offsets } = targets
    const positive = tf.greater(labels, 0)
    const positiveF = tf.cast(positive, 'float32') as tf.Tensor2D
    const positives = tf.sum(positiveF)
    // Normalise by the positives in the batch; a batch with none still yields a finite (box-free) loss.
    const normaliser = positivesInBatch === undefined ? tf.maximum(positives, 1) : tf.scalar(Math.max(positivesInBatch, 1))

    const logProbs = tf.logSoftmax(predictions.classLogits) // [B, A, C+1]
    const classes = logProbs.shape[2]
    // One-hot of the target class; ignored anchors (−1) get an all-zero row and so contribute nothing.
    const counted = tf.expandDims(tf.cast(tf.greaterEqual(labels, 0), 'float32'), 2)
    const target = tf.mul(tf.oneHot(tf.cast(tf.maximum(labels, 0), 'int32'), classes), counted) as tf.Tensor3D

    const classification =
      config.name === 'ssd'
        ? minedCrossEntropy(logProbs, target, labels, positiveF, config.negPosRatio)
        : focal(logProbs, target, config.alpha, config.gamma)

    const box = tf.sum(tf.mul(tf.sum(smoothL1(tf.sub(predictions.boxOffsets, offsets)), 2), positiveF))

    const cls = tf.div(classification, normaliser) as tf.Scalar
    const reg = tf.div(box, normaliser) as tf.Scalar
    return { total: tf.add(cls, tf.mul(reg, config.boxWeight)) as tf.Scalar, classification: cls, box: reg, positives: positives as tf.Scalar }
  })
}

/**
 * Cross-entropy over the positives and the hardest negatives: per image, the `ratio`·positives background anchors the
 * model is most wrong about (highest background loss). Which negatives are chosen is a decision, not a function to
 * differentiate: the selection is computed on a gradient-free copy and applied as a mask.
 */
function minedCrossEntropy(logProbs: tf.Tensor3D, target: tf.Tensor3D, labels: tf.Tensor2D, positiveF: tf.Tensor2D, ratio: number): tf.Scalar {
  const crossEntropy = tf.neg(tf.sum(tf.mul(logProbs, target), 2)) // [B, A]; 0 for ignored anchors
  const negative = tf.equal(labels, 0)
  const anchors = labels.shape[1]

  const mask = tf.tidy(() => {
    // Background loss of each negative anchor, −∞ elsewhere. Read back and rebuilt so that nothing in the selection
    // (comparisons, top-k) is on the gradient tape: TF.js has no stop-gradient, and no gradients for those ops.
    const live = tf.neg(tf.squeeze(tf.slice(logProbs, [0, 0, 0], [-1, -1, 1]), [2]))
    const backgroundLoss = tf.tensor2d(live.dataSync(), live.shape as [number, number])
    const candidates = tf.where(negative, backgroundLoss, tf.fill(labels.shape, -Infinity))
    const available = tf.sum(tf.cast(negative, 'int32'), 1)
    const wanted = tf.cast(tf.mul(tf.maximum(tf.sum(positiveF, 1), MIN_POSITIVES_FOR_MINING), ratio), 'int32')
    const keep = tf.minimum(wanted, available) // [B]
    const k = Math.min(anchors, Math.max(1, Math.max(...(keep.arraySync() as number[]))))
    // The k-th largest background loss of each image is its threshold; at least that loss makes the cut.
    const { values } = tf.topk(candidates, k, true) // [B, k], descending
    const last = tf.cast(tf.maximum(tf.sub(keep, 1), 0), 'int32') // index of the k-th largest, per image
    const kth = tf.gatherND(values, tf.stack([tf.range(0, labels.shape[0], 1, 'int32'), last], 1))
    const chosen = tf.logicalAnd(
      tf.logicalAnd(negative, tf.greaterEqual(candidates, tf.expandDims(kth, 1))),
      tf.expandDims(tf.greater(keep, 0), 1),
    )
    return tf.add(positiveF, tf.cast(chosen, 'float32'))
  })
  return tf.sum(tf.mul(crossEntropy, mask))
}

/** Softmax focal loss (Lin et al. 2017) over every non-ignored anchor: easy background anchors fade out by (1−p)^γ. */
function focal(logProbs: tf.Tensor3D, target: tf.Tensor3D, alpha: number, gamma: number): tf.Scalar {
  const logPt = tf.sum(tf.mul(logProbs, target), 2) // [B, A]; 0 where ignored
  const counted = tf.sum(target, 2) // 1 where not ignored
  const pt = tf.exp(logPt)
  // α for objects, 1 − α for background, as in the paper.
  const isObject = tf.cast(tf.greater(tf.sum(tf.slice(target, [0, 0, 1], [-1, -1, -1]), 2), 0), 'float32')
  const alphaT = tf.add(tf.mul(isObject, alpha), tf.mul(tf.sub(1, isObject), 1 - alpha))
  const modulator = tf.pow(tf.sub(1, pt), gamma)
  return tf.sum(tf.mul(tf.mul(tf.mul(alphaT, modulator), tf.neg(logPt)), counted))
}

/**
 * Huber loss with δ = 1, elementwise: quadratic near zero, linear beyond, so outliers do not dominate early training.
 * Written as ½·min(|d|,1)² + max(|d|−1, 0) — the same function — because TF.js cannot differentiate through `where`'s
 * comparison.
 */
function smoothL1(diff: tf.Tensor): tf.Tensor {
  const abs = tf.abs(diff)
  return tf.add(tf.mul(tf.square(tf.minimum(abs, 1)), 0.5), tf.relu(tf.sub(abs, 1)))
}
