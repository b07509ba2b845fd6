// The IoU engine of the anchor matcher (matcher.ts): every anchor against every box of its image, as a few tensor ops
// per anchor map, and from it each anchor's best IoU and each box's best anchor — exactly the float32 IoUs of the
// oracle's loops (tests/unit/detector/oracle.ts). Why it is laid out this way, and why it is exact: docs/matcher.md.
import * as tf from '@tensorflow/tfjs-core'
import { COORDINATE_QUANTUM, snapCoordinate, type AnchorSet } from './anchors.js'
import { toCentreSize } from './box-coder.js'
import type { GroundTruth } from './matcher.js'

/** Boxes strictly inside this range (in image sizes) are matched; coordinates within ±8 keep the arithmetic exact. */
const BOX_RANGE = [-4, 5] as const
/** Where unusable boxes are moved: far from every anchor, so their IoU with all of them is exactly 0. */
const NOWHERE = [-7, -7, -6, -6] as const

/** Each box's best anchor (highest IoU, then lowest index) and that IoU, per image: all [B, M]. */
export interface BoxBest {
  anchor: tf.Tensor2D
  /** 0 for a box the matcher ignores. */
  iou: tf.Tensor2D
  /** 1 for a box that overlaps some anchor: only those have a best anchor worth forcing. */
  forceable: tf.Tensor2D
}

/** The IoUs of a fixed anchor list with batches of boxes. Holds tensors: dispose() it. */
export class AnchorIou {
  readonly count: number
  /** The anchors' corners as matched: on the 2^-20 grid (an AnchorSet's already are; a list is snapped). */
  readonly corners: Float32Array
  private readonly blocks: Block[]
  /** [A, 1]: where each anchor's IoUs are among the blocks' (see placesOf). */
  private readonly places: tf.Tensor2D

  /** `anchors`: an AnchorSet from anchorsFor (fast, map by map), or any list of corner boxes (snapped here). */
  constructor(anchors: AnchorSet | Float32Array | readonly (readonly number[])[]) {
    const set = 'maps' in anchors ? anchors : undefined
    const corners = set ? set.boxes : flatCorners(anchors as Float32Array | readonly (readonly number[])[])
    checkAnchors(corners)
    this.corners = corners
    this.count = corners.length / 4
    const A = this.count
    const groups = typeGroups(set, corners)
    this.blocks = groups.map(makeBlock)
    this.places = tf.tensor2d(placesOf(groups, A), [A, 1], 'int32')
  }

  dispose(): void {
    for (const b of this.blocks) tf.dispose(Object.values(b).filter((v) => v instanceof tf.Tensor))
    this.places.dispose()
  }

  /** [B, A]: each anchor's best IoU over its image's boxes; and each box's best anchor. Inside the caller's tidy. */
  best(boxes: PreparedBoxes, B: number, M: number): { perAnchor: tf.Tensor2D; perBox: BoxBest } {
    const passes = this.blocks.map((block) => tf.tidy(() => iouPass(block, boxes, B, M)))
    // Each anchor's best IoU, from the blocks' padded type-major order to the contract order: one gather of rows.
    const padded = tf.transpose(
      passes.length === 1
        ? passes[0].bestIou
        : tf.concat(
            passes.map((p) => p.bestIou),
            1,
          ),
    )
    const perAnchor = tf.transpose(tf.gatherND(padded, this.places)) as tf.Tensor2D // [B, A]
    return { perAnchor, perBox: bestAnchors(passes, boxes.usable, this.count, B, M) }
  }
}

// ---- boxes -------------------------------------------------------------------------------------------------------

/** A batch of boxes made ready for the engine (prepareBoxes), and for the positives' targets. */
export interface PreparedBoxes {
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

/** Snap the boxes to the 2^-20 grid and move the ones the matcher ignores (and padding) NOWHERE. */
export function prepareBoxes(gt: GroundTruth): PreparedBoxes {
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

/**
 * IoU of gathered anchors (corners x1, y1, x2, y2, each [B, k, 1]) with their image's boxes (`rows`, [B, 1, M]):
 * [B, k, M]. The same arithmetic as the dense pass, so these are bit for bit the IoUs that judged the anchors.
 */
export function iouWithRows([ax1, ay1, ax2, ay2]: tf.Tensor[], rows: PreparedBoxes['rows']): tf.Tensor {
  const ah = tf.sub(ay2, ay1)
  const aw = tf.sub(ax2, ax1)
  const inter = tf.mul(overlap(ay1, ay2, ah, rows.y1, rows.y2), overlap(ax1, ax2, aw, rows.x1, rows.x2))
  return tf.div(inter, tf.sub(tf.add(tf.mul(aw, ah), rows.area), inter))
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

// ---- each box's best anchor ------------------------------------------------------------------------------------

/** Each box's best anchor (highest IoU, then lowest index) and that IoU, from the blocks' candidates. */
function bestAnchors(passes: IouPass[], usable: tf.Tensor2D, A: number, B: number, M: number): BoxBest {
  const candidates = tf.concat(
    passes.map((p) => p.candidateIou),
    0,
  ) // [candidates, B·M]
  const anchors = tf.concat(
    passes.map((p) => p.candidateAnchor),
    0,
  )
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
 * one block (the outer product is slow with short rows, and on wasm each block's ops have a fixed cost apiece).
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
    tf.tensor2d(
      Float32Array.from({ length: types.length * n }, (_, j) => value(types[Math.floor(j / n)], j % n)),
      [1, types.length * n],
    )
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
    if (![x1, y1, x2, y2].every((v) => snapCoordinate(v) === v))
      throw new Error(`matcher: anchor ${a} is not on the 2^-20 grid (make anchors with anchorsFor)`)
    const inRange = [x1, y1, x2, y2].every((v) => v > BOX_RANGE[0] && v < BOX_RANGE[1])
    if (!inRange) throw new Error(`matcher: anchor ${a} reaches outside (${BOX_RANGE.join(', ')}) image sizes`)
    if (!(x2 > x1 && y2 > y1)) throw new Error(`matcher: anchor ${a} has no area`)
  }
}
