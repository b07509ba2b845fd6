// The anchor matcher: which ground-truth box, if any, each anchor learns to predict, as tensor ops over a whole batch.
// Each box is forced onto its best anchor; other anchors are positive at IoU ≥ pos, background below neg, ignored in
// between; unusable boxes (no area, wholly outside the image, non-finite) are ignored like padding. The full rules:
// docs/matcher.md#the-rules; tests/unit/detector/oracle.ts states them as plain loops and the tests hold this file to
// them exactly. The IoU engine is iou.ts, the positives' targets targets.ts; why it is exact: docs/matcher.md.
import * as tf from '@tensorflow/tfjs-core'
import { BoxCoder, SSD_VARIANCES, type Variances } from './box-coder.js'
import { AnchorIou, type BoxBest, prepareBoxes } from './iou.js'
import { asIndex, firstRows, TargetEncoder } from './targets.js'
import type { AnchorSet } from './anchors.js'

export interface MatcherOptions {
  /** An anchor is positive at IoU ≥ pos. */
  pos: number
  /** An anchor is background at IoU < neg (neg ≤ pos); ignored in between. */
  neg: number
  variances?: Variances
}

/** A batch of ground truth, padded to M boxes per image. */
export interface GroundTruth {
  /** float32 [B, M, 4]: normalised corners x1, y1, x2, y2. */
  boxes: tf.Tensor3D
  /** [B, M]: class id (≥ 1) of each box. */
  labels: tf.Tensor2D
  /** [B, M]: 1 (or true) for a real box, 0 (or false) for padding. All boxes are real when omitted. */
  valid?: tf.Tensor2D
}

/** Images' boxes (normalised corners) and classes, padded into a GroundTruth batch of M = the most boxes in an image. */
export function padGroundTruth(images: readonly { boxes: readonly (readonly number[])[]; labels: readonly number[] }[]): GroundTruth {
  const M = Math.max(0, ...images.map((im) => im.boxes.length))
  const boxes = new Float32Array(images.length * M * 4)
  const labels = new Int32Array(images.length * M)
  const valid = new Float32Array(images.length * M)
  images.forEach((im, b) =>
    im.boxes.forEach((box, m) => {
      boxes.set(box.slice(0, 4), (b * M + m) * 4)
      labels[b * M + m] = im.labels[m]
      valid[b * M + m] = 1
    }),
  )
  return {
    boxes: tf.tensor3d(boxes, [images.length, M, 4]),
    labels: tf.tensor2d(labels, [images.length, M], 'int32'),
    valid: tf.tensor2d(valid, [images.length, M]),
  }
}

// The values of MatchResult.matches and .labels that are not a box or a class (torchvision's Matcher names the same two).
// match() reaches them by stepping down from 0 (see there), so each ignored value is one below its background value.
/** matches: an anchor whose best IoU is below neg (or 0), and not forced: background. */
export const BELOW_LOW_THRESHOLD = -1
/** matches: an anchor whose best IoU is at least neg but below pos, and not forced: ignored by the loss. */
export const BETWEEN_THRESHOLDS = BELOW_LOW_THRESHOLD - 1
/** labels: a background anchor (BELOW_LOW_THRESHOLD). Classes start at 1. */
export const BACKGROUND_CLASS = 0
/** labels: an ignored anchor (BETWEEN_THRESHOLDS). */
export const IGNORED_CLASS = BACKGROUND_CLASS - 1

export interface MatchResult {
  /** int32 [B, A]: index of the matched box, BELOW_LOW_THRESHOLD (−1) background, BETWEEN_THRESHOLDS (−2) ignored. */
  matches: tf.Tensor2D
  /** int32 [B, A]: class of the matched box for positives, BACKGROUND_CLASS (0), IGNORED_CLASS (−1). */
  labels: tf.Tensor2D
  /** float32 [B, A, 4]: encoded offsets of the matched box, zeros where not positive. */
  offsets: tf.Tensor3D
}

/** Per-box diagnostics, for the anchor coverage report. */
export interface MatchStats {
  /** float32 [B, M]: the box's best IoU with any anchor (0 for boxes the matcher ignores). */
  bestIou: tf.Tensor2D
  /** int32 [B, M]: anchors matched to the box. */
  positives: tf.Tensor2D
  /** float32 [B, M]: 1 for a box the matcher used, 0 for padding and for the boxes it ignores (see the top). */
  usable: tf.Tensor2D
}

export class AnchorMatcher {
  readonly anchorCount: number
  private readonly iou: AnchorIou
  private readonly targets: TargetEncoder
  private readonly posAtLeast: number
  private readonly negAtLeast: number

  /** `anchors`: an AnchorSet from anchorsFor (fast, map by map), or any list of corner boxes (snapped here). */
  constructor(
    anchors: AnchorSet | Float32Array | readonly (readonly number[])[],
    readonly options: MatcherOptions,
  ) {
    if (!(options.neg <= options.pos)) throw new Error(`matcher: neg (${options.neg}) must not exceed pos (${options.pos})`)
    const coder = new BoxCoder(options.variances ?? SSD_VARIANCES)
    // Thresholds as the smallest float32 not below them, so float32 IoUs compare as against the exact values.
    this.posAtLeast = float32AtLeast(options.pos)
    this.negAtLeast = float32AtLeast(options.neg)
    this.iou = new AnchorIou(anchors)
    this.anchorCount = this.iou.count
    this.targets = new TargetEncoder(this.iou.corners, coder)
  }

  dispose(): void {
    this.iou.dispose()
    this.targets.dispose()
  }

  /** Match a batch. The caller owns (and disposes) the returned tensors. */
  match(gt: GroundTruth): MatchResult {
    const { stats, ...result } = this.matchWithStats(gt)
    tf.dispose(Object.values(stats))
    return result
  }

  /** match() plus, per box, its best IoU and its number of positive anchors. */
  matchWithStats(gt: GroundTruth): MatchResult & { stats: MatchStats } {
    const [B, M] = gt.boxes.shape
    const A = this.anchorCount
    if (B === 0 || M === 0) return nothingToMatch(B, A, M)
    return tf.tidy(() => {
      const boxes = prepareBoxes(gt)
      const best = this.iou.best(boxes, B, M)
      const forced = forcedMatches(best.perBox, A) // [B, A]: 1 + the forced box's index, or 0
      const { positive, ignored } = anchorStates(best.perAnchor, forced, this.posAtLeast, this.negAtLeast)
      const matched = this.targets.encode(positive, forced, boxes, B, M)
      return {
        // Positives hold 1 + m and the others 0; adding BELOW_LOW_THRESHOLD (−1) makes m or itself, and ignored anchors
        // step once more, to BETWEEN_THRESHOLDS. Labels likewise: the class or BACKGROUND_CLASS, then IGNORED_CLASS.
        matches: tf.cast(tf.sub(tf.add(matched.boxPlus1, BELOW_LOW_THRESHOLD), ignored), 'int32') as tf.Tensor2D,
        labels: tf.cast(tf.sub(matched.labels, ignored), 'int32') as tf.Tensor2D,
        offsets: matched.offsets,
        stats: { bestIou: best.perBox.iou, positives: tf.cast(matched.perBox, 'int32') as tf.Tensor2D, usable: boxes.usable },
      }
    })
  }
}

// ---- forced matches and thresholds ---------------------------------------------------------------------------------

/**
 * [B, A]: 1 + the index of the box forced onto each anchor, 0 where none is. Boxes claiming the same anchor compete on
 * [B, M, M]: box m keeps it unless a rival n has a higher IoU, or the same IoU and a lower index.
 */
function forcedMatches(best: BoxBest, A: number): tf.Tensor2D {
  const [B, M] = best.anchor.shape
  const mine = (t: tf.Tensor) => tf.reshape(t, [B, M, 1])
  const theirs = (t: tf.Tensor) => tf.reshape(t, [B, 1, M])
  const equal = (d: tf.Tensor) => tf.sub(1, tf.step(tf.abs(d))) // exact: d is 0 only for equal values
  const rivals = tf.mul(equal(tf.sub(mine(best.anchor), theirs(best.anchor))), theirs(best.forceable))
  const lead = tf.sub(theirs(best.iou), mine(best.iou))
  const lowerIndex = tf.step(tf.sub(tf.reshape(tf.range(0, M), [M, 1]), tf.range(0, M))) // [m, n]: 1 where n < m
  const beats = tf.add(tf.step(lead), tf.mul(equal(lead), lowerIndex))
  const loses = tf.max(tf.mul(rivals, beats), 2) // [B, M]
  const wins = tf.mul(best.forceable, tf.sub(1, loses))
  const at = asIndex(tf.add(best.anchor, firstRows(B, A))) // [B, M] into [B·A]
  // Losers add 0 at their anchor, so the sum scatterND makes of duplicates is the winner's 1 + m.
  const plus1 = tf.mul(wins, tf.add(tf.range(0, M), 1))
  return tf.reshape(tf.scatterND(tf.reshape(at, [B * M, 1]), tf.reshape(plus1, [B * M]), [B * A]), [B, A]) as tf.Tensor2D
}

/**
 * [B, A] 0/1 masks from each anchor's best IoU and the forced matches. step() and clip keep it in fast float kernels;
 * the thresholds are float32 values ≥ the configured ones, so IoU ≥ pos here means IoU ≥ pos exactly.
 */
function anchorStates(bestIou: tf.Tensor2D, forced: tf.Tensor2D, pos: number, neg: number) {
  // "≥ t and > 0" is "≥ t" for t > 0, and "> 0" for t = 0 (an anchor overlapping nothing is never matched).
  const atLeast = (t: number) => (t > 0 ? tf.sub(1, tf.step(tf.sub(t, bestIou))) : tf.step(bestIou))
  const positive = tf.clipByValue(tf.add(tf.step(forced), atLeast(pos)), 0, 1) as tf.Tensor2D
  const ignored = tf.mul(tf.sub(1, positive), atLeast(neg)) as tf.Tensor2D // not positive, not below neg
  return { positive, ignored }
}

/** The smallest float32 ≥ x (x ≥ 0): comparing a float32 against it is comparing against x itself. */
export function float32AtLeast(x: number): number {
  const f = Math.fround(x)
  if (f >= x) return f
  const bits = new Int32Array(new Float32Array([f]).buffer)
  bits[0] += 1
  return new Float32Array(bits.buffer)[0]
}

function nothingToMatch(B: number, A: number, M: number): MatchResult & { stats: MatchStats } {
  return {
    matches: tf.fill([B, A], BELOW_LOW_THRESHOLD, 'int32') as tf.Tensor2D,
    labels: tf.fill([B, A], BACKGROUND_CLASS, 'int32') as tf.Tensor2D,
    offsets: tf.fill([B, A, 4], 0) as tf.Tensor3D,
    stats: {
      bestIou: tf.fill([B, M], 0) as tf.Tensor2D,
      positives: tf.fill([B, M], 0, 'int32') as tf.Tensor2D,
      usable: tf.fill([B, M], 0) as tf.Tensor2D,
    },
  }
}
