// Per-class detection quality over a whole set of images: Pascal VOC AP at one IoU threshold, COCO AP over
// 0.50:0.05:0.95, recall, and the precision/recall curve for plotting.
import type { Corners } from '../../shared/boxes.js'
import { allPointAp, cocoAp } from './ap.js'
import { matchImage, overlap, type Label, type Outcome } from './match.js'

/** COCO image ids are numbers; some exporters write strings. Either works as long as both files agree. */
export type ImageId = number | string

export interface GroundTruthBox extends Label {
  imageId: ImageId
  classId: number
}

export interface Detection {
  imageId: ImageId
  classId: number
  box: Corners
  score: number
}

export interface EvalClass {
  id: number
  name: string
}

export interface EvalOptions {
  /** IoU threshold of the VOC-style AP, recall and PR curve. Default 0.5 (so the AP is "AP50"). */
  iou?: number
  /**
   * Detections counted per image and class, best first; the rest are dropped before matching. Default 100. Per class,
   * not per image overall, because that is what pycocotools' `maxDets` does.
   */
  maxDetections?: number
  /**
   * For datasets that label only some objects in each image (GENKI-SZSL labels exactly one face even when several are
   * visible): a detection that matches nothing and overlaps no label of any class by `unknownIou` or more is not
   * counted at all, because it may well be an unlabelled object. Detections that do overlap a label but too little,
   * and second detections of a labelled object, are still false positives.
   */
  unlabelledAreUnknown?: boolean
  /**
   * Below this overlap with every label a detection is "unknown" in `unlabelledAreUnknown` mode. Default 0.1: low enough
   * that a bad localisation of the labelled object still counts, high enough that a neighbouring unlabelled face does
   * not (its blind spot, boxes beyond a 10:1 area ratio: docs/evaluation.md#partly-labelled-datasets).
   */
  unknownIou?: number
}

/** One point of the precision/recall curve: the state after counting every detection scoring at least `score`. */
export interface PrPoint {
  recall: number
  precision: number
  score: number
}

export interface ClassEvaluation {
  classId: number
  name: string
  /** Scored labels (crowd and ignored ones excluded): the denominator of recall. */
  gt: number
  /** Crowd and ignored labels. */
  ignoredGt: number
  /** Detections counted (within `maxDetections` per image). */
  detections: number
  /** Detections dropped because their image already had `maxDetections` better ones of this class. */
  dropped: number
  /** At `options.iou`: true and false positives, detections absorbed by crowd/ignored labels, and unknown ones. */
  tp: number
  fp: number
  ignored: number
  unknown: number
  /** VOC all-point AP at `options.iou` (named for the default 0.5). Null when the class has no scored labels. */
  ap50: number | null
  /** COCO AP: the 101-point AP averaged over IoU 0.50, 0.55, …, 0.95. Null when the class has no scored labels. */
  ap: number | null
  /** The 101-point AP at each COCO threshold, for seeing how fast quality falls as boxes must fit tighter. */
  apByIou: { iou: number; ap: number }[]
  /** Recall at `options.iou` with every counted detection accepted: the most this detector can find. */
  recall: number | null
  /** The point of the curve with the best F1 — a sensible score threshold to deploy with. Null without any hit. */
  bestF1: (PrPoint & { f1: number }) | null
  /** Precision/recall after each counted detection at `options.iou`, best score first. */
  pr: PrPoint[]
}

export interface Evaluation {
  options: Required<EvalOptions>
  classes: ClassEvaluation[]
  /** Means over the classes that have scored labels (as COCO does); null when none has. */
  ap50: number | null
  ap: number | null
  recall: number | null
}

/**
 * COCO's IoU thresholds 0.50:0.05:0.95, each the double nearest its decimal. (pycocotools' np.linspace makes 0.9
 * 0.8999999999999999, so an IoU in that sliver is a hit there and a miss here — rare enough to ignore.)
 */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (50 + 5 * i) / 100)

export const DEFAULT_EVAL_OPTIONS: Required<EvalOptions> = {
  iou: 0.5,
  maxDetections: 100,
  unlabelledAreUnknown: false,
  unknownIou: 0.1,
}

/** A detection's fate at one threshold as a one-byte code: there is one per detection and threshold (eleven). */
const TP = 0
const FP = 1
const IGNORED = 2
const UNKNOWN = 3
const CODE: Record<Outcome, number> = { tp: TP, fp: FP, ignored: IGNORED }

export function evaluate(
  input: { classes: readonly EvalClass[]; groundTruth: readonly GroundTruthBox[]; detections: readonly Detection[] },
  options: EvalOptions = {},
): Evaluation {
  // An option passed as undefined means "the default", as it would for a destructured parameter.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  const opts: Required<EvalOptions> = { ...DEFAULT_EVAL_OPTIONS, ...given }
  checkOptions(opts)
  const known = new Set(input.classes.map((c) => c.id))
  for (const [i, d] of input.detections.entries()) {
    if (!known.has(d.classId)) throw new Error(`detection ${i} has class ${d.classId}, which is not among the classes`)
    // A NaN score would make the ranking depend on the sort algorithm's internals.
    if (!Number.isFinite(d.score)) throw new Error(`detection ${i} has score ${d.score}; scores must be finite numbers`)
  }

  const thresholds = [...COCO_IOU_THRESHOLDS]
  let primary = thresholds.indexOf(opts.iou)
  if (primary === -1) primary = thresholds.push(opts.iou) - 1

  // Every label of an image, whatever its class, decides whether a detection there overlaps "a label".
  const allLabels = groupBy(input.groundTruth, (g) => g.imageId)

  const classes = input.classes.map((c) =>
    evaluateClass(
      c,
      input.groundTruth.filter((g) => g.classId === c.id),
      input.detections.filter((d) => d.classId === c.id),
      allLabels,
      thresholds,
      primary,
      opts,
    ),
  )
  const scored = classes.filter((c) => c.gt > 0)
  const mean = (pick: (c: ClassEvaluation) => number | null) =>
    scored.length ? scored.reduce((sum, c) => sum + (pick(c) ?? 0), 0) / scored.length : null
  return { options: opts, classes, ap50: mean((c) => c.ap50), ap: mean((c) => c.ap), recall: mean((c) => c.recall) }
}

function evaluateClass(
  cls: EvalClass,
  labels: readonly GroundTruthBox[],
  detections: readonly Detection[],
  allLabels: ReadonlyMap<ImageId, GroundTruthBox[]>,
  thresholds: readonly number[],
  primary: number,
  opts: Required<EvalOptions>,
): ClassEvaluation {
  const gt = labels.filter((l) => !l.crowd && !l.ignore).length
  // Array.prototype.sort is stable, so equal scores keep the order of the detections file: the ranking, and with it
  // the curve, does not depend on anything but the input.
  const ranked = detections.slice().sort((a, b) => b.score - a.score)

  // Positions in `counted` (the ranking minus what the per-image cap drops), grouped by image.
  const perImage = new Map<ImageId, number[]>()
  const counted: Detection[] = []
  let dropped = 0
  for (const d of ranked) {
    let positions = perImage.get(d.imageId)
    if (!positions) perImage.set(d.imageId, (positions = []))
    if (positions.length >= opts.maxDetections) {
      dropped++
      continue
    }
    positions.push(counted.length)
    counted.push(d)
  }

  const verdicts = thresholds.map(() => new Uint8Array(counted.length))
  const labelsByImage = groupBy(labels, (l) => l.imageId)
  for (const [imageId, positions] of perImage) {
    const matches = matchImage(
      positions.map((p) => counted[p].box),
      labelsByImage.get(imageId) ?? [],
      thresholds,
    )
    const everyLabel = allLabels.get(imageId) ?? []
    positions.forEach((p, i) => {
      const unknown = opts.unlabelledAreUnknown && everyLabel.every((label) => overlap(counted[p].box, label) < opts.unknownIou)
      matches.forEach((perThreshold, t) => {
        const outcome = perThreshold[i].outcome
        verdicts[t][p] = outcome === 'fp' && unknown ? UNKNOWN : CODE[outcome]
      })
    })
  }

  const curves = verdicts.map((v) => curve(v, gt))
  const main = curves[primary]
  const hasGt = gt > 0
  const apByIou = hasGt ? COCO_IOU_THRESHOLDS.map((iou, t) => ({ iou, ap: cocoAp(curves[t].recall, curves[t].precision) })) : []
  // Points for plotting only at the main threshold: one object per detection is worth it once, not eleven times.
  const pr: PrPoint[] = []
  if (hasGt) {
    let k = 0
    counted.forEach((d, p) => {
      const v = verdicts[primary][p]
      if (v === TP || v === FP) pr.push({ recall: main.recall[k], precision: main.precision[k++], score: d.score })
    })
  }
  return {
    classId: cls.id,
    name: cls.name,
    gt,
    ignoredGt: labels.length - gt,
    detections: counted.length,
    dropped,
    ...main.counts,
    ap50: hasGt ? allPointAp(main.recall, main.precision) : null,
    ap: hasGt ? apByIou.reduce((sum, a) => sum + a.ap, 0) / apByIou.length : null,
    apByIou,
    recall: hasGt ? (main.recall.at(-1) ?? 0) : null,
    bestF1: bestF1(pr),
    pr,
  }
}

/** Walk the ranking once, counting each verdict; true and false positives make the curve, the others are skipped. */
function curve(verdicts: Uint8Array, gt: number) {
  const tally = [0, 0, 0, 0]
  const recall = new Float64Array(verdicts.length)
  const precision = new Float64Array(verdicts.length)
  let n = 0
  for (const v of verdicts) {
    tally[v]++
    if (v !== TP && v !== FP) continue
    recall[n] = gt > 0 ? tally[TP] / gt : 0
    precision[n++] = tally[TP] / (tally[TP] + tally[FP])
  }
  return {
    counts: { tp: tally[TP], fp: tally[FP], ignored: tally[IGNORED], unknown: tally[UNKNOWN] },
    recall: recall.subarray(0, n),
    precision: precision.subarray(0, n),
  }
}

function bestF1(points: readonly PrPoint[]): ClassEvaluation['bestF1'] {
  let best: ClassEvaluation['bestF1'] = null
  for (const p of points) {
    if (p.recall === 0) continue
    const f1 = (2 * p.precision * p.recall) / (p.precision + p.recall)
    // Strictly greater: among equal F1s keep the higher score threshold (fewer detections for the same quality).
    if (!best || f1 > best.f1) best = { ...p, f1 }
  }
  return best
}

function checkOptions(o: Required<EvalOptions>) {
  if (!(o.iou > 0 && o.iou <= 1)) throw new RangeError(`iou must be in (0, 1], not ${o.iou}`)
  if (!(Number.isInteger(o.maxDetections) && o.maxDetections > 0)) {
    throw new RangeError(`maxDetections must be a positive integer, not ${o.maxDetections}`)
  }
  if (!(o.unknownIou > 0 && o.unknownIou <= 1)) throw new RangeError(`unknownIou must be in (0, 1], not ${o.unknownIou}`)
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = groups.get(k)
    if (list) list.push(item)
    else groups.set(k, [item])
  }
  return groups
}
