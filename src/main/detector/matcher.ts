// The anchor matcher: which ground-truth box, if any, each anchor learns to predict — as tensor ops over a whole batch,
// so it runs wherever the engine runs. The rules (tests/unit/detector/oracle.ts states them as plain loops, and the
// tests hold this file to them exactly):
//
// 1. IoU of every anchor with every box of its image, boxes padded to a fixed count M per batch.
// 2. Each anchor's best box: highest IoU, lowest box index on a tie.
// 3. Each box's best anchor: highest IoU, lowest anchor index on a tie. A box is FORCED onto it (so a box no anchor
//    fits well still trains something), and a forced match wins over the thresholds. When boxes claim the same anchor
//    the one with the highest IoU with it wins, then the lowest index; the others get no forced anchor (they keep any
//    anchors they win by threshold). A box that overlaps no anchor at all is not forced.
// 4. Otherwise an anchor is positive if its best IoU ≥ pos (and > 0), background if < neg or 0 (an anchor that
//    overlaps no box is background even when neg is 0), ignored in between.
// 5. Positives get their box's class and its offsets from the box coder; others get zeros.
//
// Boxes the matcher cannot use are IGNORED as if they were padding: degenerate ones (no area), ones entirely outside
// the image (no area inside [0, 1]²: nothing in the picture to learn from — random crops make these), and broken ones
// (non-finite, or reaching beyond [−4, 5] image sizes). Boxes partly outside the image are matched as they are.
//
// HOW — all tensor ops, no loop over anchors or boxes; shaped by what the wasm backend does fast (measured on 2
// cores: an op costs ~30 µs before any work; sub/mul/div/relu/step/max-pooling/matmul are fast, while minimum/maximum,
// boolean ops, slices, concats along inner axes, int32 broadcasts and gathers with their per-index JavaScript checks are
// 10–100× slower — so none of those touch an [B, M, A]-sized tensor):
// - Exactness. Box coordinates are snapped to multiples of 2^-20, as anchor coordinates already are (anchors.ts).
//   Every difference of coordinates is then exact in float32, so min(a, b) can be written a − relu(a − b) without
//   changing a bit, and the rest of the IoU (one product, one sum, one difference, one quotient) rounds exactly as the
//   oracle's float32 arithmetic does. Thresholds become the smallest float32 ≥ them, so comparisons are exact too.
// - The IoU tensor. Padding and unusable boxes are moved NOWHERE, where their IoU with every anchor is exactly 0 (the
//   mask costs no pass). Every anchor of one type on one map has the same size, so its intersection with a box is
//   (row overlap) × (column overlap): a map's whole IoU is one batched outer product [B·M·types, rows, 1] ×
//   [B·M·types, 1, cols], then union and quotient — three passes instead of a dozen. Its layout, [B, M, anchors of the
//   map type-major], is the transpose of [B, A, M]: each anchor's best IoU over the boxes is then max pooling over M
//   rows. Small maps (and any anchor list) are taken anchor by anchor in one block, which costs fewer ops.
// - Each box's best anchor never scans the IoU tensor: IoU only grows with either overlap (and so does its float32
//   rounding), so per type the best is at (longest row overlap) × (longest column overlap), and the first cell reaching
//   it is found from the per-row and per-column overlaps; the tie rule then picks among types and maps.
// - Positives are few, so they are gathered with one top-k (sized by reading one scalar back), matched to their box by
//   IoU recomputed for them alone, encoded, and scattered back — rather than a one-hot [B, M, A] to pick each box.
import * as tf from '@tensorflow/tfjs-core'
import { COORDINATE_QUANTUM, snapCoordinate, type AnchorSet } from './anchors.js'
import { BoxCoder, SSD_VARIANCES, toCentreSize, type Variances } from './box-coder.js'

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

export interface MatchResult {
  /** int32 [B, A]: index of the matched box, −1 background, −2 ignored. */
  matches: tf.Tensor2D
  /** int32 [B, A]: class of the matched box for positives, 0 background, −1 ignored. */
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

/** Boxes strictly inside this range (in image sizes) are matched; coordinates within ±8 keep the arithmetic exact. */
const BOX_RANGE = [-4, 5] as const
/** Where unusable boxes are moved: far from every anchor, so their IoU with all of them is exactly 0. */
const NOWHERE = [-7, -7, -6, -6] as const

export class AnchorMatcher {
  readonly anchorCount: number
  private readonly blocks: Block[]
  /** [A, 1]: where each anchor's IoUs are among the blocks' (see placesOf). */
  private readonly places: tf.Tensor2D
  /** [A, 1] per coordinate, and [A, 4] centre-size: what the positives gather. */
  private readonly anchorChannels: tf.Tensor2D[]
  private readonly anchorCentreSize: tf.Tensor2D
  private readonly coder: BoxCoder
  private readonly posAtLeast: number
  private readonly negAtLeast: number

  /** `anchors`: an AnchorSet from anchorsFor (fast, map by map), or any list of corner boxes (snapped here). */
  constructor(anchors: AnchorSet | Float32Array | readonly (readonly number[])[], readonly options: MatcherOptions) {
    if (!(options.neg <= options.pos)) throw new Error(`matcher: neg (${options.neg}) must not exceed pos (${options.pos})`)
    this.coder = new BoxCoder(options.variances ?? SSD_VARIANCES)
    // Thresholds as the smallest float32 not below them, so float32 IoUs compare as against the exact values.
    this.posAtLeast = float32AtLeast(options.pos)
    this.negAtLeast = float32AtLeast(options.neg)
    const set = 'maps' in anchors ? anchors : undefined
    const corners = set ? set.boxes : flatCorners(anchors as Float32Array | readonly (readonly number[])[])
    checkAnchors(corners)
    this.anchorCount = corners.length / 4
    const A = this.anchorCount
    const groups = typeGroups(set, corners)
    this.blocks = groups.map(makeBlock)
    this.places = tf.tensor2d(placesOf(groups, A), [A, 1], 'int32')
    const channel = (i: number) => tf.tensor2d(Float32Array.from({ length: A }, (_, a) => corners[a * 4 + i]), [A, 1])
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
    for (const b of this.blocks) tf.dispose(Object.values(b).filter((v) => v instanceof tf.Tensor))
    tf.dispose([this.places, ...this.anchorChannels, this.anchorCentreSize])
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
      const passes = this.blocks.map((block) => tf.tidy(() => iouPass(block, boxes, B, M)))
      // Each anchor's best IoU, from the blocks' padded type-major order to the contract order: one gather of rows.
      const padded = tf.transpose(passes.length === 1 ? passes[0].bestIou : tf.concat(passes.map((p) => p.bestIou), 1))
      const bestIou = tf.transpose(tf.gatherND(padded, this.places)) as tf.Tensor2D // [B, A]
      const best = bestAnchors(passes, boxes.usable, A, B, M)
      const forced = forcedMatches(best, A) // [B, A]: 1 + the forced box's index, or 0
      const { positive, ignored } = anchorStates(bestIou, forced, this.posAtLeast, this.negAtLeast)
      const matched = this.matchPositives(positive, forced, boxes, B, M)
      return {
        // Positives: (m + 1) − 1; background: 0 − 1 = −1; ignored: 0 − 1 − 1 = −2.
        matches: tf.cast(tf.sub(tf.sub(matched.boxPlus1, 1), ignored), 'int32') as tf.Tensor2D,
        labels: tf.cast(tf.sub(matched.labels, ignored), 'int32') as tf.Tensor2D,
        offsets: matched.offsets,
        stats: { bestIou: best.iou, positives: tf.cast(matched.perBox, 'int32') as tf.Tensor2D, usable: boxes.usable },
      }
    })
  }

  /**
   * The positive anchors, gathered with one top-k: their box (the forced one, or the best by IoU — recomputed for
   * these anchors alone), its class and offsets, scattered back to [B, A].
   */
  private matchPositives(positive: tf.Tensor2D, forced: tf.Tensor2D, boxes: PreparedBoxes, B: number, M: number) {
    const A = this.anchorCount
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
    const [ax1, ay1, ax2, ay2] = this.anchorChannels.map((c) => tf.gatherND(c, at)) // each [B, k, 1]
    // The same arithmetic as the dense pass, so these IoUs are bit for bit the ones that made the anchors positive.
    const ah = tf.sub(ay2, ay1)
    const aw = tf.sub(ax2, ax1)
    const inter = tf.mul(overlap(ay1, ay2, ah, boxes.rows.y1, boxes.rows.y2), overlap(ax1, ax2, aw, boxes.rows.x1, boxes.rows.x2))
    const iou = tf.div(inter, tf.sub(tf.add(tf.mul(aw, ah), boxes.rows.area), inter)) // [B, k, M]
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
      boxPlus1: scatter(tf.add(box, 1), []),
      labels: scatter(tf.reshape(gathered(boxes.labels), [B, k]), []),
      offsets: scatter(offsets, [4]) as tf.Tensor3D,
      perBox: tf.reshape(tf.scatterND(tf.reshape(boxRow, [B * k, 1]), tf.reshape(isPositive, [B * k]), [B * M]), [B, M]),
    }
  }
}

/** [B, 1]: the flat index of each image's first row in a [B · n] table (float: int32 broadcasts are slow on wasm). */
const firstRows = (B: number, n: number) => tf.reshape(tf.range(0, B * n, n, 'float32'), [B, 1])
const asIndex = (t: tf.Tensor) => tf.cast(t, 'int32')

// ---- boxes -------------------------------------------------------------------------------------------------------

interface PreparedBoxes {
  /** [B·M, 1] snapped coordinates and areas, unusable boxes moved NOWHERE: columns against a block's anchors. */
  x1: tf.Tensor2D
  y1: tf.Tensor2D
  x2: tf.Tensor2D
  y2: tf.Tensor2D
  area: tf.Tensor2D
  /** The same as [B, 1, M] rows, against the positive anchors. */
  rows: { x1: tf.Tensor; y1: tf.Tensor; x2: tf.Tensor; y2: tf.Tensor; area: tf.Tensor }
  /** [B·M, 4] centre-size and [B·M, 1] classes (float), for the positives. */
  centreSize: tf.Tensor2D
  labels: tf.Tensor2D
  /** [B, M] 1 for a box the matcher uses, else 0. */
  usable: tf.Tensor2D
}

function prepareBoxes(gt: GroundTruth): PreparedBoxes {
  const [B, M] = gt.boxes.shape
  const q = COORDINATE_QUANTUM
  const snapped = tf.reshape(tf.mul(tf.floor(tf.div(tf.cast(gt.boxes, 'float32'), q)), q), [B * M, 4])
  // Every test in one product; a box passes when all are > 0. A NaN coordinate makes the score NaN, which fails too.
  const tests = tf.step(tf.add(tf.matMul(snapped, tf.tensor2d(BOX_TESTS)), BOX_TEST_BIAS)) // [B·M, tests]
  let score = tf.prod(tests, 1)
  if (gt.valid) score = tf.mul(score, tf.step(tf.reshape(tf.cast(gt.valid, 'float32'), [B * M])))
  const usable = tf.greater(score, 0.5)
  const placed = tf.where(tf.expandDims(usable, 1), snapped, tf.tensor2d([[...NOWHERE]])) as tf.Tensor2D // [B·M, 4]
  const channels = tf.transpose(placed) // [4, B·M]: coordinate-major, so each coordinate is a cheap gather
  const [x1, y1, x2, y2] = [0, 1, 2, 3].map((c) => tf.reshape(tf.gatherND(channels, [[c]]), [B * M, 1]) as tf.Tensor2D)
  const area = tf.mul(tf.sub(x2, x1), tf.sub(y2, y1)) as tf.Tensor2D
  const row = (t: tf.Tensor) => tf.reshape(t, [B, 1, M])
  return {
    x1,
    y1,
    x2,
    y2,
    area,
    rows: { x1: row(x1), y1: row(y1), x2: row(x2), y2: row(y2), area: row(area) },
    centreSize: toCentreSize(placed) as tf.Tensor2D,
    labels: tf.reshape(tf.cast(gt.labels, 'float32'), [B * M, 1]) as tf.Tensor2D,
    usable: tf.reshape(tf.cast(usable, 'float32'), [B, M]) as tf.Tensor2D,
  }
}

/**
 * What a usable box passes, as columns of [x1, y1, x2, y2] × BOX_TESTS + BOX_TEST_BIAS > 0: width and height; reaching
 * into the image (1 − x1, 1 − y1, x2, y2); and each coordinate inside BOX_RANGE.
 */
const BOX_TESTS = [
  [-1, 0, -1, 0, 0, 0, 1, 0, 0, 0, -1, 0, 0, 0],
  [0, -1, 0, -1, 0, 0, 0, 1, 0, 0, 0, -1, 0, 0],
  [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, -1, 0],
  [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, -1],
]
const BOX_TEST_BIAS = [0, 0, 1, 1, 0, 0, ...Array(4).fill(-BOX_RANGE[0]), ...Array(4).fill(BOX_RANGE[1])]

/** Length of the overlap of intervals [a1, a2] (length `aLength`) and [b1, b2], 0 when apart. Exact on snapped values. */
function overlap(a1: tf.Tensor, a2: tf.Tensor, aLength: tf.Tensor, b1: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  // min(a2, b2) − max(a1, b1) = (a2 − a1) − relu(a2 − b2) − relu(b1 − a1)
  return tf.relu(tf.sub(tf.sub(aLength, tf.relu(tf.sub(a2, b2))), tf.relu(tf.sub(b1, a1))))
}

// ---- the dense pass, block by block --------------------------------------------------------------------------------

/**
 * Anchor types that share a [rows, cols] grid: one large map, or several small maps padded to the largest of them, or
 * any anchor list (a 1×1 grid with one type per anchor). Type t's anchor on cell (r, c) is
 * [x1[t, c], y1[t, r], x2[t, c], y2[t, r]], at index r · rowStride[t] + c · colStride[t] + base[t] in the contract
 * order. Tables are flattened type-major: [1, types · rows], [1, types · cols] and [1, types].
 */
interface Block {
  rows: number
  cols: number
  types: number
  y1: tf.Tensor2D
  y2: tf.Tensor2D
  heights: tf.Tensor2D
  x1: tf.Tensor2D
  x2: tf.Tensor2D
  widths: tf.Tensor2D
  /** Each type's anchor area, rounded to float32 as the IoU rounds it. */
  areas: tf.Tensor2D
  rowStride: tf.Tensor2D
  colStride: tf.Tensor2D
  base: tf.Tensor2D
  /** The first type's base: in a block of single anchors, types are consecutive anchors from here. */
  firstAnchor: number
}

type IouPass = {
  /** [B, types · rows · cols]: each (padded) anchor's best IoU over the boxes, type-major. */
  bestIou: tf.Tensor2D
  /** [types, B·M]: per box, one candidate per type for its best anchor: the IoU, and the anchor's index (as float). */
  candidateIou: tf.Tensor2D
  candidateAnchor: tf.Tensor2D
}

function iouPass(block: Block, boxes: PreparedBoxes, B: number, M: number): IouPass {
  const { rows, cols, types } = block
  const BMT = B * M * types
  const ih = overlap(block.y1, block.y2, block.heights, boxes.y1, boxes.y2) // [B·M, types · rows]
  const iw = overlap(block.x1, block.x2, block.widths, boxes.x1, boxes.x2) // [B·M, types · cols]
  const sums = tf.add(block.areas, boxes.area) // [B·M, types]: area(anchor) + area(box)
  // The intersections of a whole grid as one batched outer product: [B·M·types, rows, 1] × [B·M·types, 1, cols].
  const inter = tf.reshape(tf.mul(tf.reshape(ih, [BMT, rows, 1]), tf.reshape(iw, [BMT, 1, cols])), [BMT, rows * cols])
  const iou = tf.div(inter, tf.sub(tf.reshape(sums, [BMT, 1]), inter)) // [B·M·types, rows · cols]
  // Per anchor, the best box: max pooling over the M rows of [B, M, types · rows · cols].
  const pooled = tf.maxPool(tf.reshape(iou, [B, M, 1, types * rows * cols]) as tf.Tensor4D, [M, 1], [M, 1], 'valid')

  if (rows === 1 && cols === 1) {
    // Anchors one by one, in the contract order: the box's best is the block's first maximum.
    return {
      bestIou: tf.reshape(pooled, [B, types]) as tf.Tensor2D,
      candidateIou: tf.reshape(tf.max(tf.reshape(iou, [B * M, types]), 1), [1, B * M]) as tf.Tensor2D,
      candidateAnchor: tf.reshape(tf.add(tf.argMax(tf.reshape(iou, [B * M, types]), 1), block.firstAnchor), [1, B * M]) as tf.Tensor2D,
    }
  }
  // Per box and type, the best IoU and the first cell (row-major) reaching it — from the per-axis overlaps alone, no
  // scan of the IoU: IoU never falls as either overlap grows (nor does its float32 rounding), so the best is at
  // (longest row overlap) × (longest column overlap); the first row holding a reaching cell is the first whose cell in
  // that best column reaches it, and within that row the first reaching column.
  const perType = (t: tf.Tensor, n: number) => tf.reshape(t, [B * M, types, n])
  const ihT = perType(ih, rows)
  const iwT = perType(iw, cols)
  const sum3 = tf.expandDims(sums, 2) // [B·M, types, 1]
  const iouOf = (overlaps: tf.Tensor) => tf.div(overlaps, tf.sub(sum3, overlaps)) // exactly the dense rounding
  const longestCol = tf.max(iwT, 2, true)
  const best = iouOf(tf.mul(tf.max(ihT, 2, true), longestCol)) // [B·M, types, 1]
  const reaches = (values: tf.Tensor) => tf.sub(1, tf.step(tf.sub(best, values))) // 1 where = best
  const row = tf.argMax(reaches(iouOf(tf.mul(ihT, longestCol))), 2) // [B·M, types]
  // The row's overlap, exactly. (oneHot with a float32 dtype returns zeros on wasm 4.22, hence int32 and a cast;
  // and it wants a depth of 2 or more.)
  const rowOverlap = rows === 1 ? ihT : tf.sum(tf.mul(tf.cast(tf.oneHot(row, rows), 'float32'), ihT), 2, true)
  const col = tf.argMax(reaches(iouOf(tf.mul(rowOverlap, iwT))), 2)
  const anchor = tf.add(tf.add(tf.mul(row, block.rowStride), tf.mul(col, block.colStride)), block.base) // float: exact < 2^24
  return {
    bestIou: tf.reshape(pooled, [B, types * rows * cols]) as tf.Tensor2D,
    // Type-major, so that the blocks' candidates concatenate along axis 0 (along axis 1 costs a copy per row on wasm).
    candidateIou: tf.transpose(tf.reshape(best, [B * M, types])) as tf.Tensor2D,
    candidateAnchor: tf.transpose(anchor) as tf.Tensor2D,
  }
}

// ---- forced matches and thresholds ---------------------------------------------------------------------------------

/** Each box's best anchor (highest IoU, then lowest index) and that IoU, from the blocks' candidates. */
function bestAnchors(passes: IouPass[], usable: tf.Tensor2D, A: number, B: number, M: number) {
  const candidates = tf.concat(passes.map((p) => p.candidateIou), 0) // [candidates, B·M]
  const anchors = tf.concat(passes.map((p) => p.candidateAnchor), 0)
  const iou = tf.max(candidates, 0, true) // [1, B·M]
  // The lowest anchor index among the candidates that reach it: the max of (A − index) where reached.
  const reaches = tf.sub(1, tf.step(tf.sub(iou, candidates)))
  const anchor = tf.sub(A, tf.max(tf.mul(reaches, tf.sub(A, anchors)), 0))
  const iouOfUsable = tf.mul(tf.reshape(iou, [B, M]), usable)
  return {
    anchor: tf.reshape(anchor, [B, M]) as tf.Tensor2D,
    iou: iouOfUsable as tf.Tensor2D,
    // A box that overlaps no anchor has no best anchor worth forcing.
    forceable: tf.step(iouOfUsable) as tf.Tensor2D,
  }
}

/**
 * [B, A]: 1 + the index of the box forced onto each anchor, 0 where none is. Boxes claiming the same anchor compete on
 * [B, M, M]: box m keeps it unless a rival n has a higher IoU, or the same IoU and a lower index.
 */
function forcedMatches(best: { anchor: tf.Tensor2D; iou: tf.Tensor2D; forceable: tf.Tensor2D }, A: number): tf.Tensor2D {
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

// ---- anchors -------------------------------------------------------------------------------------------------------

/** One anchor type, in plain numbers: its row and column intervals and where its anchors go in the contract order. */
interface TypeSpec {
  rows: [number, number][]
  cols: [number, number][]
  area: number
  rowStride: number
  colStride: number
  base: number
}

/**
 * Maps of at least this many cells get a grid block of their own; the anchors of smaller ones are taken one by one, in
 * one block (the outer product is slow with short rows, and on wasm each block's ops cost ~30 µs apiece).
 */
const OWN_BLOCK_CELLS = 256
/** Where padding rows and columns sit: away from every box, even the unusable ones moved NOWHERE. */
const PADDING: [number, number] = [-7.75, -7.5]

/**
 * Per block, its types: each large map of an AnchorSet as a grid; the small maps' anchors, or a list's, one by one
 * (a 1×1 grid per anchor, in the contract order).
 */
function typeGroups(set: AnchorSet | undefined, corners: Float32Array): TypeSpec[][] {
  const oneByOne = (begin: number, end: number): TypeSpec[] =>
    Array.from({ length: end - begin }, (_, i) => {
      const [x1, y1, x2, y2] = corners.subarray((begin + i) * 4, (begin + i) * 4 + 4)
      return { rows: [[y1, y2]], cols: [[x1, x2]], area: Math.fround((x2 - x1) * (y2 - y1)), rowStride: 0, colStride: 0, base: begin + i }
    })
  if (!set) return [oneByOne(0, corners.length / 4)]
  const groups: TypeSpec[][] = []
  for (const map of set.maps) {
    const end = map.offset + map.rows * map.cols * map.perCell
    if (map.rows * map.cols < OWN_BLOCK_CELLS) {
      // Runs of small maps share one block of single anchors.
      const last = groups[groups.length - 1]
      if (last?.[0].rows.length === 1 && last[0].cols.length === 1 && last[last.length - 1].base === map.offset - 1) {
        last.push(...oneByOne(map.offset, end))
      } else groups.push(oneByOne(map.offset, end))
      continue
    }
    groups.push(
      map.halfWidths.map((hw, t) => {
        const hh = map.halfHeights[t]
        return {
          rows: map.centresY.map((cy) => [cy - hh, cy + hh]),
          cols: map.centresX.map((cx) => [cx - hw, cx + hw]),
          area: Math.fround(2 * hw * 2 * hh),
          rowStride: map.cols * map.perCell,
          colStride: map.perCell,
          base: map.offset + t,
        }
      }),
    )
  }
  return groups
}

function makeBlock(types: TypeSpec[]): Block {
  const rows = Math.max(...types.map((t) => t.rows.length))
  const cols = Math.max(...types.map((t) => t.cols.length))
  const table = (n: number, value: (t: TypeSpec, i: number) => number) =>
    tf.tensor2d(Float32Array.from({ length: types.length * n }, (_, j) => value(types[Math.floor(j / n)], j % n)), [1, types.length * n])
  const interval = (list: [number, number][], i: number) => list[i] ?? PADDING
  const perType = (value: (t: TypeSpec) => number) => tf.tensor2d(types.map(value), [1, types.length])
  return {
    rows,
    cols,
    types: types.length,
    y1: table(rows, (t, r) => interval(t.rows, r)[0]),
    y2: table(rows, (t, r) => interval(t.rows, r)[1]),
    heights: table(rows, (t, r) => interval(t.rows, r)[1] - interval(t.rows, r)[0]),
    x1: table(cols, (t, c) => interval(t.cols, c)[0]),
    x2: table(cols, (t, c) => interval(t.cols, c)[1]),
    widths: table(cols, (t, c) => interval(t.cols, c)[1] - interval(t.cols, c)[0]),
    areas: perType((t) => t.area),
    rowStride: perType((t) => t.rowStride),
    colStride: perType((t) => t.colStride),
    base: perType((t) => t.base),
    firstAnchor: types[0].base,
  }
}

/** For each anchor in the contract order, its place among the blocks' concatenated, padded, type-major IoUs. */
function placesOf(groups: TypeSpec[][], A: number): Int32Array {
  const place = new Int32Array(A).fill(-1)
  let start = 0
  for (const types of groups) {
    const rows = Math.max(...types.map((t) => t.rows.length))
    const cols = Math.max(...types.map((t) => t.cols.length))
    types.forEach((t, i) => {
      for (let r = 0; r < t.rows.length; r++)
        for (let c = 0; c < t.cols.length; c++) place[r * t.rowStride + c * t.colStride + t.base] = start + (i * rows + r) * cols + c
    })
    start += types.length * rows * cols
  }
  if (place.includes(-1)) throw new Error('matcher: the anchor maps do not cover every anchor (make anchors with anchorsFor)')
  return place
}

function flatCorners(anchors: Float32Array | readonly (readonly number[])[]): Float32Array {
  const flat = anchors instanceof Float32Array ? anchors : Float32Array.from(anchors.flat())
  if (flat.length === 0 || flat.length % 4 !== 0) throw new Error('matcher: anchors must be a non-empty list of [x1, y1, x2, y2]')
  return flat.map(snapCoordinate)
}

/** The exactness argument needs anchors on the 2^-20 grid, with area, inside the same range as boxes. */
function checkAnchors(corners: Float32Array): void {
  for (let a = 0; a < corners.length / 4; a++) {
    const [x1, y1, x2, y2] = corners.subarray(a * 4, a * 4 + 4)
    if (![x1, y1, x2, y2].every((v) => snapCoordinate(v) === v)) throw new Error(`matcher: anchor ${a} is not on the 2^-20 grid (make anchors with anchorsFor)`)
    const inRange = [x1, y1, x2, y2].every((v) => v > BOX_RANGE[0] && v < BOX_RANGE[1])
    if (!inRange) throw new Error(`matcher: anchor ${a} reaches outside (${BOX_RANGE.join(', ')}) image sizes`)
    if (!(x2 > x1 && y2 > y1)) throw new Error(`matcher: anchor ${a} has no area`)
  }
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
    matches: tf.fill([B, A], -1, 'int32') as tf.Tensor2D,
    labels: tf.fill([B, A], 0, 'int32') as tf.Tensor2D,
    offsets: tf.fill([B, A, 4], 0) as tf.Tensor3D,
    stats: {
      bestIou: tf.fill([B, M], 0) as tf.Tensor2D,
      positives: tf.fill([B, M], 0, 'int32') as tf.Tensor2D,
      usable: tf.fill([B, M], 0) as tf.Tensor2D,
    },
  }
}
