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
  bestF1,
  countCurve,
  type CountPoint,
  downsample,
  evaluate,
  type GroundTruthBox,
  type Detection,
  matchPhoto,
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

/** Every detection and labelled box after matching at one IoU: detections by score (highest first), labels by area (largest first). */
interface Matched {
  detections: MatchedDetection[]
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

/** One evaluation loaded against the labels of one fingerprint. */
export class LoadedEvaluation {
  private readonly matched = new Map<number, Matched>()
  private aps: { classes: Aps[]; mean: Aps } | null = null
  private readonly reports = new Map<string, EvaluationReport>()
  readonly matchedAt = Date.now()

  constructor(
    readonly evaluation: Evaluation,
    readonly classes: string[],
    readonly photos: EvalPhoto[],
    readonly fingerprint: string,
  ) {}

  labelled(): number {
    return this.photos.reduce((n, p) => n + p.labels.length, 0)
  }

  /** Matched at `iou`, once. */
  at(iou: number): Matched {
    let m = this.matched.get(iou)
    if (m) return m
    const detections: MatchedDetection[] = []
    const labels: MatchedLabel[] = []
    this.photos.forEach((p, photo) => {
      const { detectionLabel, labelScore, labelArea } = matchPhoto(p, iou)
      p.detections.forEach((d, det) => detections.push({ photo, det, classIndex: d.classIndex, score: d.score, tp: detectionLabel[det] >= 0 }))
      p.labels.forEach((l, label) => {
        const s = labelScore[label]
        labels.push({ photo, label, classIndex: l.classIndex, area: labelArea[label], foundScore: Number.isNaN(s) ? null : s })
      })
    })
    // Stable sorts: equal scores (or areas) stay in photo order, so pages are the same on every request.
    detections.sort((a, b) => b.score - a.score)
    labels.sort((a, b) => b.area - a.area)
    const perClass = this.classes.map((_, i) => countCurve(detections.filter((d) => d.classIndex === i + 1)))
    const labelledPerClass = this.classes.map((_, i) => labels.filter((l) => l.classIndex === i + 1).length)
    const pooled = countCurve(detections)
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

  /** VOC AP50, COCO AP75 and AP 0.50:0.95 per class and their means, as the training's evaluations compute them. */
  averagePrecision(): { classes: Aps[]; mean: Aps } {
    if (this.aps) return this.aps
    const groundTruth: GroundTruthBox[] = []
    const detections: Detection[] = []
    this.photos.forEach((p, imageId) => {
      for (const l of p.labels) groundTruth.push({ imageId, classId: l.classIndex, box: l.box })
      for (const d of p.detections) detections.push({ imageId, classId: d.classIndex, box: d.box, score: d.score })
    })
    const result = evaluate({ classes: this.classes.map((name, i) => ({ id: i + 1, name })), groundTruth, detections }, { iou: 0.5 })
    const classes = result.classes.map((c) => ({
      ap50: c.ap50,
      ap75: c.gt > 0 ? (c.apByIou.find((a) => a.iou === 0.75)?.ap ?? null) : null,
      ap: c.ap,
    }))
    const scored = classes.filter((_, i) => result.classes[i].gt > 0)
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
      for (const p of this.photos) addConfusion(counts, p, iou, chosen)
      confusion = { labels: [...this.classes, 'background'], counts }
    }
    const report: EvaluationReport = {
      evaluation: this.evaluation,
      iou: iouChoice,
      labelledPhotos: this.photos.filter((p) => p.labels.length > 0).length,
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
    const take = (item: MatchedDetection | MatchedLabel) => {
      if (total >= q.offset && picked.length < q.limit) picked.push(item)
      total++
    }
    if (q.kind === 'false-alarm') {
      for (const d of m.detections) {
        // Sorted by score: nothing further down reaches the threshold.
        if (d.score < q.threshold) break
        if (!d.tp && ofClass(d.classIndex)) take(d)
      }
    } else {
      for (const l of m.labels) if ((l.foundScore === null || l.foundScore < q.threshold) && ofClass(l.classIndex)) take(l)
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

/**
 * The evaluation's photos with their labels as they are now, in the evaluation's classes. A photo that is no longer
 * labelled under the run's rule (its boxes deleted and never reviewed; unreviewed for a `reviewed` run) drops out.
 */
export function loadEvaluation(store: Store, evaluation: Evaluation, run: Run, fingerprint: string): LoadedEvaluation {
  const classes = store.evaluations.classes(evaluation.id)
  const labeller = labellerFor(store, classes, run)
  const labels = new Map(store.evaluations.labels(evaluation.id).map((l) => [l.imageId, l]))
  const photos: EvalPhoto[] = []
  for (const p of store.evaluations.photos(evaluation.id)) {
    const now = labels.get(p.imageId)
    if (!now) continue
    if (run.settings.labels === 'reviewed' ? !now.reviewed : now.boxes.length === 0 && !now.reviewed) continue
    photos.push({
      imageId: p.imageId,
      width: p.width,
      height: p.height,
      labels: now.boxes.flatMap((b) => {
        const classIndex = labeller(b.classId, b.attributes)
        return classIndex === undefined || b.w <= 0 || b.h <= 0 ? [] : [{ boxId: b.id, classIndex, box: cornersOf(b) }]
      }),
      detections: p.detections.map((d) => ({ classIndex: d.classIndex, box: cornersOf(d), score: d.score })),
    })
  }
  return new LoadedEvaluation(evaluation, classes, photos, fingerprint)
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

  get(store: Store, evaluation: Evaluation): LoadedEvaluation {
    const run = store.runs.get(evaluation.runId)
    if (!run) throw new StudioError(`no run ${evaluation.runId} in this project`, 'not_found', 'params.runId')
    const fingerprint = store.evaluations.labelsFingerprint()
    let l = this.loaded.get(evaluation.id)
    if (!l || l.fingerprint !== fingerprint || l.evaluation.state !== evaluation.state) {
      l = loadEvaluation(store, evaluation, run, fingerprint)
    }
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
