// The box coder (SSD's centre and size offsets, with variances; `decode` is `encode`'s exact inverse), on normalised
// corners [x1, y1, x2, y2]: tensor versions on [..., 4] tensors, plain ones on numbers. The tensor versions never slice
// the coordinate axis (a slice copies its whole input in JavaScript on wasm); they mask by per-channel constants and mix
// channels by a 4×4 matrix product instead. Formula and measurements: docs/detector.md#box-coder.
import * as tf from '@tensorflow/tfjs-core'
import type { Corners } from '../../shared/boxes.js'

export type Variances = readonly [number, number, number, number]

/** SSD's variances: centre offsets in tenths of the anchor size, log-size offsets in fifths. */
export const SSD_VARIANCES: Variances = [0.1, 0.1, 0.2, 0.2]

export type Offsets = [number, number, number, number]

export class BoxCoder {
  constructor(readonly variances: Variances = SSD_VARIANCES) {}

  /** Offsets of `box` relative to `anchor`, exactly as the formula above (in float64). */
  encodeBox(box: Corners, anchor: Corners): Offsets {
    const [v0, v1, v2, v3] = this.variances
    const [gx, gy, gw, gh] = centreSize(box)
    const [ax, ay, aw, ah] = centreSize(anchor)
    return [(gx - ax) / aw / v0, (gy - ay) / ah / v1, Math.log(gw / aw) / v2, Math.log(gh / ah) / v3]
  }

  /** The box that `offsets` describe relative to `anchor`: the inverse of encodeBox. */
  decodeBox(offsets: readonly number[], anchor: Corners): [number, number, number, number] {
    const [v0, v1, v2, v3] = this.variances
    const [ax, ay, aw, ah] = centreSize(anchor)
    const cx = offsets[0] * v0 * aw + ax
    const cy = offsets[1] * v1 * ah + ay
    const w = Math.exp(offsets[2] * v2) * aw
    const h = Math.exp(offsets[3] * v3) * ah
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
  }

  /** Encode corner boxes [..., 4] against anchors [..., 4] (broadcast, e.g. boxes [B, A, 4] and anchors [A, 4]). */
  encode(boxes: tf.Tensor, anchors: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.encodeCentreSize(toCentreSize(boxes), toCentreSize(anchors)))
  }

  /** encode() for boxes and anchors already in centre-size form [cx, cy, w, h]. */
  encodeCentreSize(boxes: tf.Tensor, anchors: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const size = anchorSizes(anchors)
      // Channels 0, 1: (g − a) / a_size; channels 2, 3: g_size / a_size.
      const ratio = tf.div(tf.sub(boxes, tf.mul(anchors, XY)), size)
      // ln only on the size channels; the centre channels take ln(1) = 0 and keep their ratio.
      const logs = tf.log(tf.add(tf.mul(ratio, WH), XY))
      return tf.div(tf.add(tf.mul(ratio, XY), logs), [...this.variances])
    })
  }

  /** Decode offsets [..., 4] against anchors [..., 4] to corner boxes: the inverse of encode. */
  decode(offsets: tf.Tensor, anchors: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = toCentreSize(anchors)
      const size = anchorSizes(a)
      const d = tf.mul(offsets, [...this.variances])
      const centres = tf.add(tf.mul(d, size), tf.mul(a, XY)) // channels 0, 1: d · a_size + a
      const sizes = tf.mul(tf.exp(tf.mul(d, WH)), size) // channels 2, 3: e^d · a_size
      return toCorners(tf.add(tf.mul(centres, XY), tf.mul(sizes, WH)))
    })
  }
}

/** [cx, cy, w, h] of a corner box. */
export const centreSize = ([x1, y1, x2, y2]: Corners): [number, number, number, number] => [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]

// Per-channel masks: centre (x, y) channels and size (w, h) channels. Plain arrays, not module-level tensors: a tensor
// made at import time would start a backend before initEngine() chooses one.
const XY = [1, 1, 0, 0]
const WH = [0, 0, 1, 1]

// Channel-mixing matrices, applied as one [N, 4] × [4, 4] product (a matmul is fast on wasm; a reverse or gather on the
// last axis is not). Each output is one or two exact products by 0, ±½ or ±1, summed once — rounded exactly as
// (x1 + x2) / 2, x2 − x1 and cx ∓ w / 2 are.
const TO_CENTRE_SIZE = [
  [0.5, 0, -1, 0],
  [0, 0.5, 0, -1],
  [0.5, 0, 1, 0],
  [0, 0.5, 0, 1],
]
const TO_CORNERS = [
  [1, 0, 1, 0],
  [0, 1, 0, 1],
  [-0.5, 0, 0.5, 0],
  [0, -0.5, 0, 0.5],
]
/** [cx, cy, w, h] → [w, h, w, h]: the size each channel is measured in. */
const SIZES = [
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [1, 0, 1, 0],
  [0, 1, 0, 1],
]

/** x [..., 4] × matrix [4, 4], through a 2-D matmul. */
function mix(x: tf.Tensor, matrix: number[][]): tf.Tensor {
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, 4]), tf.tensor2d(matrix)), x.shape)
}

/** Corners [..., 4] → centre-size [..., 4]. */
export const toCentreSize = (corners: tf.Tensor): tf.Tensor => tf.tidy(() => mix(corners, TO_CENTRE_SIZE))

/** Centre-size [..., 4] → corners [..., 4]. */
export const toCorners = (cs: tf.Tensor): tf.Tensor => tf.tidy(() => mix(cs, TO_CORNERS))

const anchorSizes = (a: tf.Tensor): tf.Tensor => mix(a, SIZES)
