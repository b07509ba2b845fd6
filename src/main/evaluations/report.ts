// An evaluation's report and its error lists, from the detections it kept and the labels as they are now. Loading the
// photos and matching them is the costly part (tens of milliseconds for thousands of photos), so the matched state is
// kept in memory per evaluation, keyed by a fingerprint of the project's labels: a box fixed in Review changes the
// fingerprint, and the next request matches again. Everything a page asks after that — the report at another
// threshold, a page of errors — is a walk over arrays already sorted.
import type { EvalError, EvalErrorKind, EvalIou, Evaluation, EvaluationReport, Run } from '../../shared/api.js'
import { StudioError } from '../../shared/api.js'
import { cornersOf, iou as iouOf, type Corners } from '../../shared/boxes.js'
import {
  addConfusion,
  allPointAp,
  bestF1,
  COCO_IOU_THRESHOLDS,
  cocoAp,
  type CountPoint,
  downsample,
  matchPhotoAt,
  type OperatingPoint,
  pointAt,
  sizeBreakdown,
  sizeOf,
} from '../eval/index.js'
import type { Store } from '../store/index.js'
import { type BoxLabeller, classLabeller } from '../train/index.js'

/** Points per PR curve sent to the page: enough for a smooth curve and a picker, small enough to send at once. */
export const CURVE_POINTS = 500

export interface EvalPhoto {
  imageId: number
  width: number
  height: number
  labels: { boxId: number; classIndex: number; box: Corners }[]
  detections: { classIndex: number; box: Corners; score: number }[]
}

interface MatchedDetection {
  photo: number
  det: number
  classIndex: number
  score: number
  tp: boolean
}

interface MatchedLabel {
  photo: number
  label: number
  classIndex: number
  area: number
  /** The score of the detection that found it; null when none did. */
  foundScore: number | null
}

/**
 * The counted detections (their photo still counts) in ranking order, as typed arrays rather than 200,000 objects: each
 * one's rank in KeptDetections (its photo, class and score are there) and whether it found a label.
 */
export interface RankedOutcomes {
  rank: Int32Array
  tp: Uint8Array
}

/** Every detection and labelled box after matching at one IoU: detections by score (highest first), labels by area (largest first). */
interface Matched {
  detections: RankedOutcomes
  labels: MatchedLabel[]
  /** Every class pooled, and each class's (index 0 is class 1): whole, before downsampling. */
  pooled: CountPoint[]
  perClass: CountPoint[][]
  labelledPerClass: number[]
  bestPooled: OperatingPoint | null
  bestPerClass: (OperatingPoint | null)[]
}

interface Aps {
  ap50: number | null
  ap75: number | null
  ap: number | null
}

/** COCO's IoUs 0.50:0.05:0.95; 0.5 and 0.75 are the first and the sixth. */
const IOUS = COCO_IOU_THRESHOLDS
const IOU_INDEX = new Map(IOUS.map((iou, t) => [iou, t]))

type PhotoMatch = ReturnType<typeof matchPhotoAt>

/**
 * The evaluation's kept detections, loaded once: the photos, and every detection's place in the ranking (score
 * highest first; equal scores in photo order, as `evaluate` ranks them). Labels come and go; this stays.
 */
export interface KeptDetections {
  evaluation: Evaluation
  classes: string[]
  photos: { imageId: number; width: number; height: number; detections: EvalPhoto['detections'] }[]
  /** Photo index and detection index, pairwise, in ranking order. */
  ranking: Int32Array
  /** Per rank: the detection's flat index (its photo's `offsets` entry plus its index there), class and score. */
  rankFlat: Int32Array
  rankClass: Int32Array
  rankScore: Float64Array
  /** Per photo: the flat index of its first detection (and one past the last photo's last, at the end). */
  offsets: Int32Array
}

/**
 * One evaluation against the labels of one fingerprint. Each photo is matched at all ten COCO IoUs at once; when the
 * labels change, only the photos whose labels changed are matched again (`relabel`), and everything after that — the
 * ranking's tallies, curves, AP — is a walk over arrays in an order already known.
 */
export class LoadedEvaluation {
  private readonly matched = new Map<number, Matched>()
  private aps: { classes: Aps[]; mean: Aps } | null = null
  private hitMask: Uint16Array | null = null
  private readonly reports = new Map<string, EvaluationReport>()
  readonly matchedAt = Date.now()
  readonly photos: EvalPhoto[]

  constructor(
    readonly kept: KeptDetections,
    /** Per kept photo: its labels now, or null when it no longer counts (not labelled under the run's rule). */
    readonly labels: (EvalPhoto['labels'] | null)[],
    readonly fingerprint: string,
    private readonly perPhoto: (PhotoMatch | null)[] = labels.map((l, i) =>
      l === null ? null : matchPhotoAt({ labels: l, detections: kept.photos[i].detections }, IOUS),
    ),
  ) {
    this.photos = kept.photos.map((p, i) => ({ ...p, labels: labels[i] ?? [] }))
  }

  get evaluation(): Evaluation {
    return this.kept.evaluation
  }

  get classes(): string[] {
    return this.kept.classes
  }

  /** The same detections against new labels: photos whose labels are as they were keep their matches. */
  relabel(labels: (EvalPhoto['labels'] | null)[], fingerprint: string): LoadedEvaluation {
    const perPhoto = labels.map((l, i) => {
      if (l === null) return null
      const before = this.labels[i]
      if (before !== null && sameLabels(before, l)) return this.perPhoto[i]
      return matchPhotoAt({ labels: l, detections: this.kept.photos[i].detections }, IOUS)
    })
    return new LoadedEvaluation(this.kept, labels, fingerprint, perPhoto)
  }

  /**
   * Per detection (flat index): bit t set when it found a label at IoU t. Filled photo by photo, where each photo's
   * matches sit together in memory; the ranking then reads one number per detection instead of ten scattered ones.
   */
  private hits(): Uint16Array {
    if (this.hitMask) return this.hitMask
    const { offsets } = this.kept
    const mask = new Uint16Array(offsets[offsets.length - 1])
    this.perPhoto.forEach((match, photo) => {
      if (!match) return
      const base = offsets[photo]
      for (let t = 0; t < match.detectionLabel.length; t++) {
        const found = match.detectionLabel[t]
        for (let det = 0; det < found.length; det++) if (found[det] >= 0) mask[base + det] |= 1 << t
      }
    })
    return (this.hitMask = mask)
  }

  /** Matched at `iou` (one of COCO's ten), flattened: detections in ranking order, labels largest first. */
  at(iou: number): Matched {
    let m = this.matched.get(iou)
    if (m) return m
    const t = IOU_INDEX.get(iou)
    if (t === undefined) throw new Error(`no matching kept at IoU ${iou}`)
    const labels: MatchedLabel[] = []
    const { ranking, rankFlat } = this.kept
    const mask = this.hits()
    const rank = new Int32Array(rankFlat.length)
    const tp = new Uint8Array(rankFlat.length)
    let n = 0
    for (let k = 0; k < rankFlat.length; k++) {
      if (!this.perPhoto[ranking[2 * k]]) continue
      rank[n] = k
      tp[n++] = (mask[rankFlat[k]] >> t) & 1
    }
    const detections: RankedOutcomes = { rank: rank.subarray(0, n), tp: tp.subarray(0, n) }
    this.perPhoto.forEach((match, photo) => {
      if (!match) return
      this.labels[photo]!.forEach((l, label) => {
        const s = match.labelScore[t][label]
        labels.push({ photo, label, classIndex: l.classIndex, area: match.labelArea[label], foundScore: Number.isNaN(s) ? null : s })
      })
    })
    // Stable: equal areas stay in photo order, so pages are the same on every request.
    labels.sort((a, b) => b.area - a.area)
    const perClass = this.classes.map((_, i) => rankedCurve(this.kept, detections, i + 1))
    const labelledPerClass = this.classes.map((_, i) => labels.filter((l) => l.classIndex === i + 1).length)
    const pooled = rankedCurve(this.kept, detections)
    m = {
      detections,
      labels,
      pooled,
      perClass,
      labelledPerClass,
      bestPooled: bestF1(pooled, labels.length),
      bestPerClass: perClass.map((curve, i) => bestF1(curve, labelledPerClass[i])),
    }
    this.matched.set(iou, m)
    return m
  }

  /**
   * Per class: VOC all-point AP at 0.5, COCO's 101-point AP at 0.75 and averaged over 0.50:0.95 — `evaluate`'s
   * numbers (tests/integration/evaluations/report.test.ts checks them against it), from the matches already made.
   */
  averagePrecision(): { classes: Aps[]; mean: Aps } {
    if (this.aps) return this.aps
    const { ranking, rankFlat, rankClass } = this.kept
    const mask = this.hits()
    const classes = this.classes.map((_, c): Aps => {
      const labelled = this.labels.reduce((n, l) => n + (l ? l.filter((b) => b.classIndex === c + 1).length : 0), 0)
      if (labelled === 0) return { ap50: null, ap75: null, ap: null }
      // The class's counted detections in ranking order, as their hits at the ten IoUs; then each IoU's curve is a
      // pass over one plain array.
      const mine: number[] = []
      for (let k = 0; k < rankFlat.length; k++) {
        if (rankClass[k] === c + 1 && this.perPhoto[ranking[2 * k]]) mine.push(mask[rankFlat[k]])
      }
      const n = mine.length
      const perIou = IOUS.map((_, t) => {
        const recall = new Float64Array(n)
        const precision = new Float64Array(n)
        let tp = 0
        for (let i = 0; i < n; i++) {
          tp += (mine[i] >> t) & 1
          recall[i] = tp / labelled
          precision[i] = tp / (i + 1)
        }
        return { recall, precision }
      })
      const coco = perIou.map((curve) => cocoAp(curve.recall, curve.precision))
      return {
        ap50: allPointAp(perIou[0].recall, perIou[0].precision),
        ap75: coco[IOU_INDEX.get(0.75)!],
        ap: coco.reduce((a, b) => a + b, 0) / coco.length,
      }
    })
    const scored = classes.filter((a) => a.ap50 !== null)
    const mean = (pick: (a: Aps) => number | null) => (scored.length ? scored.reduce((s, a) => s + (pick(a) ?? 0), 0) / scored.length : null)
    this.aps = { classes, mean: { ap50: mean((a) => a.ap50), ap75: mean((a) => a.ap75), ap: mean((a) => a.ap) } }
    return this.aps
  }

  report(iouChoice: EvalIou, threshold: number | undefined, runThreshold: number | null): EvaluationReport {
    const key = `${iouChoice}:${threshold ?? ''}:${runThreshold ?? ''}`
    const cached = this.reports.get(key)
    if (cached) return cached
    const iou = curveIou(iouChoice)
    const m = this.at(iou)
    const aps = this.averagePrecision()
    const labelled = m.labels.length
    const best = m.bestPooled
    const chosen = threshold ?? best?.score ?? 0.5
    const classes = this.classes.map((name, i) => {
      const curve = m.perClass[i]
      const last = curve.at(-1)
      return {
        classIndex: i + 1,
        name,
        labelled: m.labelledPerClass[i],
        detections: last ? last.tp + last.fp : 0,
        ...aps.classes[i],
        curve: downsample(curve, CURVE_POINTS),
        bestF1: m.bestPerClass[i],
      }
    })
    let confusion: EvaluationReport['confusion'] = null
    if (this.classes.length > 1) {
      const n = this.classes.length + 1
      const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0))
      this.photos.forEach((p, i) => {
        if (this.labels[i] !== null) addConfusion(counts, p, iou, chosen)
      })
      confusion = { labels: [...this.classes, 'background'], counts }
    }
    const report: EvaluationReport = {
      evaluation: this.evaluation,
      iou: iouChoice,
      labelledPhotos: this.labels.filter((l) => l !== null).length,
      labelled,
      ...aps.mean,
      classes,
      curve: downsample(m.pooled, CURVE_POINTS),
      bestF1: best,
      threshold: chosen,
      at: pointAt(m.pooled, chosen, labelled),
      sizes: sizeBreakdown(m.labels, chosen),
      confusion,
      runThreshold,
      matchedAt: this.matchedAt,
      labelsFingerprint: this.fingerprint,
    }
    if (this.reports.size > 16) this.reports.clear()
    this.reports.set(key, report)
    return report
  }

  /** A page of false alarms (highest score first) or misses (largest labelled box first) at a threshold. */
  errors(
    store: Store,
    q: { iou: EvalIou; threshold: number; kind: EvalErrorKind; classIndex?: number; offset: number; limit: number },
  ): { total: number; offset: number; items: EvalError[] } {
    const iou = curveIou(q.iou)
    const m = this.at(iou)
    const ofClass = (c: number) => q.classIndex === undefined || c === q.classIndex
    const picked: (MatchedDetection | MatchedLabel)[] = []
    let total = 0
    // Only the page's own items are made into objects; the rest are counted.
    const take = (item: () => MatchedDetection | MatchedLabel) => {
      if (total >= q.offset && picked.length < q.limit) picked.push(item())
      total++
    }
    if (q.kind === 'false-alarm') {
      const { ranking, rankClass, rankScore } = this.kept
      const { rank, tp } = m.detections
      for (let i = 0; i < rank.length; i++) {
        const k = rank[i]
        // Sorted by score: nothing further down reaches the threshold.
        if (rankScore[k] < q.threshold) break
        if (tp[i] === 0 && ofClass(rankClass[k])) {
          take(() => ({ photo: ranking[2 * k], det: ranking[2 * k + 1], classIndex: rankClass[k], score: rankScore[k], tp: false }))
        }
      }
    } else {
      for (const l of m.labels) if ((l.foundScore === null || l.foundScore < q.threshold) && ofClass(l.classIndex)) take(() => l)
    }
    const items = picked.map((item) => this.describe(store, item))
    return { total, offset: q.offset, items }
  }

  private describe(store: Store, item: MatchedDetection | MatchedLabel): EvalError {
    const photo = this.photos[item.photo]
    const image = store.image(photo.imageId)
    const imageInfo = {
      id: photo.imageId,
      path: image?.path ?? '',
      sha256: image?.sha256 ?? '',
      width: photo.width,
      height: photo.height,
    }
    const pixels = (c: Corners) => ({ x: c[0], y: c[1], w: c[2] - c[0], h: c[3] - c[1] })
    const className = (i: number) => this.classes[i - 1] ?? `class ${i}`
    if ('det' in item) {
      const d = photo.detections[item.det]
      const near = nearest(d.box, photo.labels)
      const l = near ? photo.labels[near.index] : null
      return {
        kind: 'false-alarm',
        image: imageInfo,
        box: pixels(d.box),
        classIndex: d.classIndex,
        className: className(d.classIndex),
        score: d.score,
        boxId: null,
        size: sizeOf((d.box[2] - d.box[0]) * (d.box[3] - d.box[1])),
        nearest: l && near ? { ...pixels(l.box), classIndex: l.classIndex, score: null, iou: near.iou } : null,
      }
    }
    const l = photo.labels[item.label]
    const near = nearest(l.box, photo.detections)
    const d = near ? photo.detections[near.index] : null
    return {
      kind: 'miss',
      image: imageInfo,
      box: pixels(l.box),
      classIndex: l.classIndex,
      className: className(l.classIndex),
      score: null,
      boxId: l.boxId,
      size: sizeOf(item.area),
      nearest: d && near ? { ...pixels(d.box), classIndex: d.classIndex, score: d.score, iou: near.iou } : null,
    }
  }
}

/**
 * `countCurve` of detections already in ranking order (score highest first), of one class or all: the same points,
 * without copying and sorting 200,000 outcomes again.
 */
function rankedCurve(kept: KeptDetections, outcomes: RankedOutcomes, classIndex?: number): CountPoint[] {
  const { rankClass, rankScore } = kept
  const { rank, tp: hit } = outcomes
  const points: CountPoint[] = []
  let tp = 0
  let fp = 0
  let last = -1
  for (let i = 0; i < rank.length; i++) {
    const k = rank[i]
    if (classIndex !== undefined && rankClass[k] !== classIndex) continue
    // Equal scores are counted together: the point of a score is written once, after its last detection.
    if (last >= 0 && rankScore[last] !== rankScore[k]) points.push({ score: rankScore[last], tp, fp })
    if (hit[i] === 1) tp++
    else fp++
    last = k
  }
  if (last >= 0) points.push({ score: rankScore[last], tp, fp })
  return points
}

/** The IoU a report's curves and errors use: 'coco' averages AP over ten, but a curve needs one, its first (0.5). */
export const curveIou = (choice: EvalIou): number => (choice === 'coco' ? 0.5 : choice)

function nearest(box: Corners, others: readonly { box: Corners }[]): { index: number; iou: number } | null {
  let best: { index: number; iou: number } | null = null
  others.forEach((o, index) => {
    const v = iouOf(box, o.box)
    if (v > 0 && (!best || v > best.iou)) best = { index, iou: v }
  })
  return best
}

/** The evaluation's kept detections, ranked once. */
export function loadKept(store: Store, evaluation: Evaluation): KeptDetections {
  const photos = store.evaluations.photos(evaluation.id).map((p) => ({
    imageId: p.imageId,
    width: p.width,
    height: p.height,
    detections: p.detections.map((d) => ({ classIndex: d.classIndex, box: cornersOf(d), score: d.score })),
  }))
  return rankKept(evaluation, store.evaluations.classes(evaluation.id), photos)
}

/** Flat indices below this fit beside a score's 32 bits in one float64 sort key (53 bits). */
const KEY_INDEX = 2 ** 21

/**
 * Rank the detections: score highest first, equal scores in photo order (as `evaluate` ranks them: its input is in this
 * order). Scores are float32 and never negative, so their bit patterns order as they do; with the flat index below
 * them, one native sort of numbers ranks 200,000 detections, where a comparator sort over objects took a large part of
 * a cold report.
 */
export function rankKept(evaluation: Evaluation, classes: string[], photos: KeptDetections['photos']): KeptDetections {
  const offsets = new Int32Array(photos.length + 1)
  photos.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.detections.length))
  const total = offsets[photos.length]
  const score32 = new Float32Array(total)
  const photoOf = new Int32Array(total)
  photos.forEach((p, i) =>
    p.detections.forEach((d, det) => {
      score32[offsets[i] + det] = d.score
      photoOf[offsets[i] + det] = i
    }),
  )
  let order: ArrayLike<number>
  // Kept scores are float32 (the store's blobs); scores that are not (made by hand) rank by a comparator as before.
  const exact = photos.every((p) => p.detections.every((d) => Math.fround(d.score) === d.score && d.score >= 0))
  if (total < KEY_INDEX && exact) {
    const bits = new Uint32Array(score32.buffer)
    const keys = new Float64Array(total)
    for (let f = 0; f < total; f++) keys[f] = (0xffffffff - bits[f]) * KEY_INDEX + f
    keys.sort()
    order = Int32Array.from(keys, (k) => k % KEY_INDEX)
  } else {
    const score = (f: number) => photos[photoOf[f]].detections[f - offsets[photoOf[f]]].score
    order = Array.from({ length: total }, (_, f) => f).sort((a, b) => score(b) - score(a) || a - b)
  }
  const ranking = new Int32Array(total * 2)
  const rankFlat = new Int32Array(total)
  const rankClass = new Int32Array(total)
  const rankScore = new Float64Array(total)
  for (let k = 0; k < total; k++) {
    const f = order[k]
    const photo = photoOf[f]
    const d = photos[photo].detections[f - offsets[photo]]
    ranking[2 * k] = photo
    ranking[2 * k + 1] = f - offsets[photo]
    rankFlat[k] = f
    rankClass[k] = d.classIndex
    rankScore[k] = d.score
  }
  return { evaluation, classes, photos, ranking, rankFlat, rankClass, rankScore, offsets }
}

/**
 * Each kept photo's labels as they are now, in the evaluation's classes; null for a photo that no longer counts (its
 * boxes deleted and never reviewed; unreviewed, for a run trained on reviewed photos only).
 */
export function currentLabels(store: Store, kept: KeptDetections, run: Run): (EvalPhoto['labels'] | null)[] {
  const labeller = labellerFor(store, kept.classes, run)
  const now = new Map(store.evaluations.labels(kept.evaluation.id).map((l) => [l.imageId, l]))
  return kept.photos.map((p) => {
    const l = now.get(p.imageId)
    if (!l) return null
    if (run.settings.labels === 'reviewed' ? !l.reviewed : l.boxes.length === 0 && !l.reviewed) return null
    return l.boxes.flatMap((b) => {
      const classIndex = labeller(b.classId, b.attributes)
      return classIndex === undefined || b.w <= 0 || b.h <= 0 ? [] : [{ boxId: b.id, classIndex, box: cornersOf(b) }]
    })
  })
}

export function loadEvaluation(store: Store, evaluation: Evaluation, run: Run, fingerprint: string): LoadedEvaluation {
  const kept = loadKept(store, evaluation)
  return new LoadedEvaluation(kept, currentLabels(store, kept, run), fingerprint)
}

function sameLabels(a: EvalPhoto['labels'], b: EvalPhoto['labels']): boolean {
  return (
    a.length === b.length &&
    a.every((l, i) => l.boxId === b[i].boxId && l.classIndex === b[i].classIndex && l.box.every((v, k) => v === b[i].box[k]))
  )
}

/** The run's labeller; by class name alone when the run's class map no longer fits the project (a class renamed since). */
function labellerFor(store: Store, classes: string[], run: Run): BoxLabeller {
  const projectClasses = store.classes()
  try {
    return classLabeller(projectClasses, { classes, classMap: run.settings.classMap }).labeller
  } catch {
    const byId = new Map(projectClasses.flatMap((c) => (classes.includes(c.name) ? [[c.id, classes.indexOf(c.name) + 1] as const] : [])))
    return (classId) => byId.get(classId)
  }
}

const caches = new WeakMap<Store, EvaluationCache>()

/** The open project's loaded evaluations (one cache per project, so ids never mix across projects). */
export function evaluationCache(store: Store): EvaluationCache {
  let cache = caches.get(store)
  if (!cache) caches.set(store, (cache = new EvaluationCache()))
  return cache
}

/** Loaded evaluations per open project, a few at a time, each as long as the labels keep its fingerprint. */
export class EvaluationCache {
  private readonly loaded = new Map<number, LoadedEvaluation>()

  constructor(private readonly keep = 3) {}

  /** Whether the evaluation is loaded and matched against labels of this fingerprint (asking it is then a walk). */
  has(evaluation: Evaluation, fingerprint: string): boolean {
    const l = this.loaded.get(evaluation.id)
    return l !== undefined && l.evaluation.state === evaluation.state && l.fingerprint === fingerprint
  }

  get(store: Store, evaluation: Evaluation, fingerprint = store.evaluations.labelsFingerprint()): LoadedEvaluation {
    const run = store.runs.get(evaluation.runId)
    if (!run) throw new StudioError(`no run ${evaluation.runId} in this project`, 'not_found', 'params.runId')
    let l = this.loaded.get(evaluation.id)
    if (!l || l.evaluation.state !== evaluation.state) l = loadEvaluation(store, evaluation, run, fingerprint)
    else if (l.fingerprint !== fingerprint) l = l.relabel(currentLabels(store, l.kept, run), fingerprint)
    // Most recent last, so the first is the one to let go.
    this.loaded.delete(evaluation.id)
    this.loaded.set(evaluation.id, l)
    while (this.loaded.size > this.keep) this.loaded.delete(this.loaded.keys().next().value!)
    return l
  }

  clear(): void {
    this.loaded.clear()
  }
}
