// The Evaluate page's first paint — the report at the chosen IoU with no threshold picked, and the first page of each
// error list at the threshold it chose — kept in the store per evaluation and labels fingerprint. Matching 10,000
// photos at ten IoUs and ranking their detections takes a second or more; after a restart, with the labels as they
// were, those answers are read back in a millisecond, and the full matching is left for the first request that needs
// it (another threshold, a later page). Only the first-paint requests are kept, so dragging a threshold writes nothing.
import type { EvalError, EvalErrorKind, EvalIou, Evaluation, EvaluationReport, Run } from '../../shared/api.js'
import type { Store } from '../store/index.js'
import { evaluationCache } from './report.js'

export interface ErrorsQuery {
  iou: EvalIou
  threshold: number
  kind: EvalErrorKind
  classIndex?: number
  offset: number
  limit: number
}

type ErrorsPage = { total: number; offset: number; items: EvalError[] }

/**
 * The threshold the page starts at, as it picks it: the run's deploy threshold, else the best F1's, else 0.5 (kept
 * strictly between 0 and 1, as the page sends it).
 */
function firstThreshold(report: EvaluationReport): number {
  return Math.min(0.9999, Math.max(0.0001, report.runThreshold ?? report.bestF1?.score ?? 0.5))
}

/** Whether a request is one of the page's first paint: no threshold picked, or the one it starts at. */
function firstPaint(store: Store, evaluation: Evaluation, run: Run, iou: EvalIou, threshold: number | undefined, fingerprint: string) {
  if (threshold === undefined) return true
  const report = evaluationCache(store).get(store, evaluation, fingerprint).report(iou, undefined, run.threshold)
  return threshold === firstThreshold(report)
}

/** The report at `iou` (and `threshold`, when one was picked): from memory, else the store, else matched now. */
export function evaluationReport(store: Store, evaluation: Evaluation, run: Run, iou: EvalIou, threshold: number | undefined): EvaluationReport {
  const fingerprint = store.evaluations.labelsFingerprint()
  const cache = evaluationCache(store)
  const request = `report:${iou}:${threshold ?? ''}:${run.threshold ?? ''}`
  if (!cache.has(evaluation, fingerprint)) {
    const kept = store.evaluations.answer(evaluation.id, request, fingerprint)
    // The evaluation as it is now (a report kept while it was the newest still says so).
    if (kept) return { ...(JSON.parse(kept) as EvaluationReport), evaluation }
  }
  const report = cache.get(store, evaluation, fingerprint).report(iou, threshold, run.threshold)
  if (firstPaint(store, evaluation, run, iou, threshold, fingerprint)) {
    store.evaluations.putAnswer(evaluation.id, request, fingerprint, JSON.stringify(report))
  }
  return report
}

/** A page of errors; a first page at the threshold the page starts at is kept like the report. */
export function evaluationErrors(store: Store, evaluation: Evaluation, run: Run, q: ErrorsQuery): ErrorsPage {
  const fingerprint = store.evaluations.labelsFingerprint()
  const cache = evaluationCache(store)
  const request = `errors:${q.iou}:${q.threshold}:${q.kind}:${q.classIndex ?? ''}:${q.limit}:${run.threshold ?? ''}`
  if (q.offset === 0 && !cache.has(evaluation, fingerprint)) {
    const kept = store.evaluations.answer(evaluation.id, request, fingerprint)
    if (kept) return withImagesNow(store, JSON.parse(kept) as ErrorsPage)
  }
  const page = cache.get(store, evaluation, fingerprint).errors(store, q)
  if (q.offset === 0 && firstPaint(store, evaluation, run, q.iou, q.threshold, fingerprint)) {
    store.evaluations.putAnswer(evaluation.id, request, fingerprint, JSON.stringify(page))
  }
  return page
}

/** A photo moved or renamed since the page was kept is shown where it is now. */
function withImagesNow(store: Store, page: ErrorsPage): ErrorsPage {
  return {
    ...page,
    items: page.items.map((item) => {
      const image = store.image(item.image.id)
      return image ? { ...item, image: { ...item.image, path: image.path, sha256: image.sha256 } } : item
    }),
  }
}
