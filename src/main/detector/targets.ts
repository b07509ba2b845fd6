// The matcher's training targets for its positive anchors: their box (the forced one, or the best by IoU), its class and
// its offsets from the box coder, scattered back to [B, A]. Positives are few, so they are gathered with one top-k and
// worked on alone, rather than a one-hot [B, M, A] picking each anchor's box (docs/matcher.md).
import * as tf from '@tensorflow/tfjs-core'
import type { BoxCoder } from './box-coder.js'
import { iouWithRows, type PreparedBoxes } from './iou.js'

/** The positives' targets, 0 wherever an anchor is not positive. */
export interface PositiveTargets {
  /** [B, A]: 1 + the matched box's index. */
  boxPlus1: tf.Tensor2D
  /** [B, A]: the matched box's class (float). */
  labels: tf.Tensor2D
  /** [B, A, 4]: the matched box's offsets from the anchor. */
  offsets: tf.Tensor3D
  /** [B, M]: how many anchors each box is matched to (float). */
  perBox: tf.Tensor
}

/** Encodes the positives of one anchor list. Holds tensors: dispose() it. */
export class TargetEncoder {
  private readonly count: number
  /** [A, 1] per coordinate, and [A, 4] centre-size: what the positives gather. */
  private readonly anchorChannels: tf.Tensor2D[]
  private readonly anchorCentreSize: tf.Tensor2D

  /** `corners`: the anchors as the IoU engine matches them (AnchorIou.corners). */
  constructor(
    corners: Float32Array,
    private readonly coder: BoxCoder,
  ) {
    const A = corners.length / 4
    this.count = A
    const channel = (i: number) =>
      tf.tensor2d(
        Float32Array.from({ length: A }, (_, a) => corners[a * 4 + i]),
        [A, 1],
      )
    this.anchorChannels = [0, 1, 2, 3].map(channel)
    this.anchorCentreSize = tf.tensor2d(
      Float32Array.from({ length: A * 4 }, (_, j) => {
        const [a, c] = [Math.floor(j / 4), j % 4]
        const [lo, hi] = [corners[a * 4 + (c % 2)], corners[a * 4 + (c % 2) + 2]]
        return c < 2 ? (lo + hi) / 2 : hi - lo
      }),
      [A, 4],
    )
  }

  dispose(): void {
    tf.dispose([...this.anchorChannels, this.anchorCentreSize])
  }

  /**
   * `positive` [B, A] 0/1, `forced` [B, A] 1 + the box forced onto the anchor or 0. The box of a positive not forced
   * is its best by IoU, recomputed for these anchors alone. Inside the caller's tidy.
   */
  encode(positive: tf.Tensor2D, forced: tf.Tensor2D, boxes: PreparedBoxes, B: number, M: number): PositiveTargets {
    const A = this.count
    const k = tf.max(tf.sum(positive, 1)).dataSync()[0]
    if (k === 0) {
      const none = tf.fill([B, A], 0) as tf.Tensor2D
      return { boxPlus1: none, labels: none, offsets: tf.fill([B, A, 4], 0) as tf.Tensor3D, perBox: tf.fill([B, M], 0) }
    }
    // Key: 0 not positive, 1 positive by threshold, 2 + m forced onto box m.
    const top = tf.topk(tf.mul(positive, tf.add(forced, 1)), k, false)
    const isPositive = tf.step(top.values) // [B, k]: rows with fewer than k positives are topped up with others
    const forcedPlus1 = tf.relu(tf.sub(top.values, 1))
    const at = tf.expandDims(top.indices, 2) // [B, k, 1]
    const iou = iouWithRows(
      this.anchorChannels.map((c) => tf.gatherND(c, at)),
      boxes.rows,
    ) // [B, k, M]
    const byIou = tf.cast(tf.argMax(iou, 2), 'float32') // the lowest box index on a tie
    const box = tf.where(tf.greater(forcedPlus1, 0), tf.sub(forcedPlus1, 1), byIou) // [B, k]

    const boxRow = asIndex(tf.add(box, firstRows(B, M))) // [B, k] into [B·M]
    const gathered = (table: tf.Tensor) => tf.gatherND(table, tf.expandDims(boxRow, 2))
    const offsets = this.coder.encodeCentreSize(gathered(boxes.centreSize), tf.gatherND(this.anchorCentreSize, at))
    const anchorRow = tf.reshape(asIndex(tf.add(tf.cast(top.indices, 'float32'), firstRows(B, A))), [B * k, 1]) // into [B·A]
    const scatter = (values: tf.Tensor, channels: number[]) => {
      const kept = tf.mul(values, tf.reshape(isPositive, [B, k, ...channels.map(() => 1)]))
      return tf.reshape(tf.scatterND(anchorRow, tf.reshape(kept, [B * k, ...channels]), [B * A, ...channels]), [B, A, ...channels])
    }
    return {
      boxPlus1: scatter(tf.add(box, 1), []) as tf.Tensor2D,
      labels: scatter(tf.reshape(gathered(boxes.labels), [B, k]), []) as tf.Tensor2D,
      offsets: scatter(offsets, [4]) as tf.Tensor3D,
      perBox: tf.reshape(tf.scatterND(tf.reshape(boxRow, [B * k, 1]), tf.reshape(isPositive, [B * k]), [B * M]), [B, M]),
    }
  }
}

/** [B, 1]: the flat index of each image's first row in a [B · n] table (float: int32 broadcasts are slow on wasm). */
export const firstRows = (B: number, n: number) => tf.reshape(tf.range(0, B * n, n, 'float32'), [B, 1])
export const asIndex = (t: tf.Tensor) => tf.cast(t, 'int32')
