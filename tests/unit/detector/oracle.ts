// The anchor matcher as plain nested loops: the specification the tensor matcher (src/main/detector/matcher.ts) must
// agree with exactly. Written to be read, not to be fast: one image at a time, every anchor against every box.
//
// Two details make "exactly" meaningful rather than lucky:
// - coordinates are snapped to multiples of 2^-20 first, as the matcher does, so intersections are exact;
// - each arithmetic step of the IoU is rounded to float32 (Math.fround), because the engine computes in float32 and a
//   float64 oracle would disagree wherever two IoUs differ by less than float32 can tell (near-ties, thresholds).
// Offsets are computed in float64 by the box coder's plain version; the tests compare them with a tolerance.
import { snapCoordinate } from '../../../src/main/detector/anchors.js'
import { BoxCoder, type Offsets, type Variances } from '../../../src/main/detector/box-coder.js'
import type { Corners } from '../../../src/shared/boxes.js'

export interface OracleImage {
  boxes: Corners[]
  /** Class id (≥ 1) of each box. */
  labels: number[]
  /** Per box, false for padding; all true when omitted. */
  valid?: boolean[]
}

export interface OracleResult {
  /** Per anchor: the matched box's index, −1 background, −2 ignored. */
  matches: number[]
  /** Per anchor: the matched box's class, 0 background, −1 ignored. */
  labels: number[]
  /** Per anchor: encoded offsets of the matched box; zeros unless positive. */
  offsets: Offsets[]
  /** Per box: its best IoU with any anchor (0 for a box the matcher ignores). */
  bestIou: number[]
  /** Per box: the anchors it is matched to. */
  positives: number[]
  /** Per box: whether the matcher may use it (not padding, with area, inside the image, in range). */
  usable: boolean[]
}

const f32 = Math.fround

/** Can this box be matched? Finite, inside [−4, 5], with area, and overlapping the image [0, 1]² by some area. */
export function usableBox([x1, y1, x2, y2]: Corners): boolean {
  const inRange = (v: number) => Number.isFinite(v) && v >= -4 && v <= 5
  if (![x1, y1, x2, y2].every(inRange)) return false
  return x2 > x1 && y2 > y1 && x2 > 0 && y2 > 0 && x1 < 1 && y1 < 1
}

/** IoU of two snapped boxes, each step rounded to float32. */
export function iouF32(a: Corners, b: Corners): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]))
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]))
  const inter = f32(iw * ih)
  const areaA = f32((a[2] - a[0]) * (a[3] - a[1]))
  const areaB = f32((b[2] - b[0]) * (b[3] - b[1]))
  const union = f32(f32(areaA + areaB) - inter)
  return f32(inter / union)
}

const snapBox = (b: Corners): Corners => [snapCoordinate(b[0]), snapCoordinate(b[1]), snapCoordinate(b[2]), snapCoordinate(b[3])]

export function matchImage(
  anchorList: Corners[],
  image: OracleImage,
  options: { pos: number; neg: number; variances?: Variances },
): OracleResult {
  const coder = new BoxCoder(options.variances)
  const anchors = anchorList.map(snapBox)
  const boxes = image.boxes.map(snapBox)
  const usable = boxes.map((b, m) => (image.valid?.[m] ?? true) && usableBox(b))

  // Every anchor against every usable box.
  const iou = anchors.map((a) => boxes.map((b, m) => (usable[m] ? iouF32(a, b) : 0)))

  // Each anchor's best box: the highest IoU, the lowest box index on a tie.
  const bestBox = anchors.map((_, a) => {
    let best = -1
    for (let m = 0; m < boxes.length; m++) if (usable[m] && (best < 0 || iou[a][m] > iou[a][best])) best = m
    return best
  })

  // Each box's best anchor: the highest IoU, the lowest anchor index on a tie.
  const bestAnchor = boxes.map((_, m) => {
    let best = 0
    for (let a = 1; a < anchors.length; a++) if (iou[a][m] > iou[best][m]) best = a
    return best
  })
  const bestIou = boxes.map((_, m) => (usable[m] ? iou[bestAnchor[m]][m] : 0))

  // Forced matches: each usable box that overlaps some anchor claims its best anchor. When several claim the same
  // anchor, the one with the highest IoU with it wins, then the lowest index; the others are not forced elsewhere.
  const forced = anchors.map(() => -1)
  for (let m = 0; m < boxes.length; m++) {
    if (!usable[m] || bestIou[m] <= 0) continue
    const a = bestAnchor[m]
    const holder = forced[a]
    if (holder < 0 || bestIou[m] > bestIou[holder]) forced[a] = m
  }

  const matches: number[] = []
  const labels: number[] = []
  const offsets: Offsets[] = []
  const positives = boxes.map(() => 0)
  for (let a = 0; a < anchors.length; a++) {
    const v = bestBox[a] < 0 ? 0 : iou[a][bestBox[a]]
    let m: number
    if (forced[a] >= 0)
      m = forced[a] // forced matches win over the thresholds
    else if (v >= options.pos && v > 0) m = bestBox[a]
    else if (v < options.neg || v === 0)
      m = -1 // an anchor that overlaps nothing is background, whatever `neg` is
    else m = -2
    matches.push(m)
    labels.push(m >= 0 ? image.labels[m] : m === -1 ? 0 : -1)
    offsets.push(m >= 0 ? coder.encodeBox(boxes[m], anchors[a]) : [0, 0, 0, 0])
    if (m >= 0) positives[m]++
  }
  return { matches, labels, offsets, bestIou, positives, usable }
}

/** The anchors of a Float32Array [A · 4] as corner tuples. */
export function cornersOf(boxes: Float32Array): Corners[] {
  const out: Corners[] = []
  for (let i = 0; i < boxes.length; i += 4) out.push([boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]])
  return out
}
