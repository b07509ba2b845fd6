// What a score threshold means for one class, computed in the page from its precision/recall curve so the numbers
// follow the slider (or a drag on the curve) without asking the studio. A curve is the ranking of the class's
// detections, best score first, as cumulative counts: after counting every detection scoring at least `score`, `tp` of
// them found a label and `fp` did not. A threshold keeps exactly the detections scoring at or above it.

/** One step of the ranking: the counts once every detection scoring at least `score` is kept. */
export interface CurvePoint {
  score: number
  tp: number
  fp: number
}

export interface AtThreshold {
  threshold: number
  /** Detections kept that found a label, and those that did not (false alarms). */
  tp: number
  falseAlarms: number
  /** Labels no kept detection found. */
  misses: number
  /** Null when nothing is kept: precision of no detections is undefined, not 0 or 1. */
  precision: number | null
  /** Null when the class has no label to find. */
  recall: number | null
  /** Null when either of precision and recall is. */
  f1: number | null
}

/**
 * The last point of the ranking at or above `threshold` (points are sorted by score, highest first), or -1 when every
 * detection scores below it. A binary search: a curve has one point per detection, thousands on a big evaluation.
 */
export function pointIndexAt(points: readonly CurvePoint[], threshold: number): number {
  let lo = 0
  let hi = points.length // invariant: points[< lo] score ≥ threshold, points[≥ hi] score < threshold
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (points[mid].score >= threshold) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/** Precision, recall, F1, false alarms and misses when only detections scoring `threshold` or more are kept. */
export function atThreshold(points: readonly CurvePoint[], labelled: number, threshold: number): AtThreshold {
  checkLabelled(labelled)
  const i = pointIndexAt(points, threshold)
  const tp = i < 0 ? 0 : points[i].tp
  const fp = i < 0 ? 0 : points[i].fp
  return metrics(threshold, tp, fp, labelled)
}

/**
 * The threshold with the best F1: the score of the ranking's point where F1 peaks. Among equal F1s the higher score
 * wins (fewer detections for the same quality), as the studio's own `bestF1` does. Null without a single hit.
 */
export function bestF1Threshold(points: readonly CurvePoint[], labelled: number): AtThreshold | null {
  checkLabelled(labelled)
  let best: AtThreshold | null = null
  for (let i = 0; i < points.length; i++) {
    // Only the last of several equal scores is a reachable state: a threshold keeps all of them or none.
    if (i + 1 < points.length && points[i + 1].score === points[i].score) continue
    const m = metrics(points[i].score, points[i].tp, points[i].fp, labelled)
    if (m.f1 !== null && m.tp > 0 && (!best || m.f1 > best.f1!)) best = m
  }
  return best
}

/** Several classes at one threshold, summed (what a detector deployed with one threshold does over all of them). */
export function overallAt(classes: readonly { points: readonly CurvePoint[]; labelled: number }[], threshold: number): AtThreshold {
  let tp = 0
  let fp = 0
  let labelled = 0
  for (const c of classes) {
    const m = atThreshold(c.points, c.labelled, threshold)
    tp += m.tp
    fp += m.falseAlarms
    labelled += c.labelled
  }
  return metrics(threshold, tp, fp, labelled)
}

/** The F1-best threshold over several classes summed: candidates are every score any class's ranking has. */
export function overallBestF1(classes: readonly { points: readonly CurvePoint[]; labelled: number }[]): AtThreshold | null {
  const scores = [...new Set(classes.flatMap((c) => c.points.map((p) => p.score)))].sort((a, b) => b - a)
  let best: AtThreshold | null = null
  for (const score of scores) {
    const m = overallAt(classes, score)
    if (m.f1 !== null && m.tp > 0 && (!best || m.f1 > best.f1!)) best = m
  }
  return best
}

/** Precision and recall after each point, for drawing the curve (recall along x, never decreasing). */
export function prCurve(points: readonly CurvePoint[], labelled: number): { recall: number[]; precision: number[]; score: number[] } {
  checkLabelled(labelled)
  const recall: number[] = []
  const precision: number[] = []
  const score: number[] = []
  for (const p of points) {
    if (p.tp + p.fp === 0) continue
    recall.push(labelled > 0 ? p.tp / labelled : 0)
    precision.push(p.tp / (p.tp + p.fp))
    score.push(p.score)
  }
  return { recall, precision, score }
}

/**
 * Checks a curve as it arrives: scores finite and never rising, counts whole, never falling and growing by one
 * detection a point at most — a curve that breaks this would make every number on the page quietly wrong.
 */
export function curveProblem(points: readonly CurvePoint[], labelled: number): string | null {
  if (!(Number.isInteger(labelled) && labelled >= 0)) return `the number of labels must be a whole number ≥ 0, not ${labelled}`
  let last = { score: Infinity, tp: 0, fp: 0 }
  for (const [i, p] of points.entries()) {
    if (!Number.isFinite(p.score)) return `point ${i} has score ${p.score}`
    if (p.score > last.score) return `point ${i} scores ${p.score}, above the point before it (${last.score})`
    if (!Number.isInteger(p.tp) || !Number.isInteger(p.fp) || p.tp < last.tp || p.fp < last.fp) {
      return `point ${i}'s counts (${p.tp} found, ${p.fp} false) fall below the point before it`
    }
    if (p.tp > labelled) return `point ${i} finds ${p.tp} labels of ${labelled}`
    last = p
  }
  return null
}

/** A threshold as people read it: two decimals, three when it is finer than that (a point picked on the curve). */
export const scoreText = (v: number) => v.toFixed(Math.abs(v - Number(v.toFixed(2))) < 1e-9 ? 2 : 3)

function metrics(threshold: number, tp: number, fp: number, labelled: number): AtThreshold {
  const precision = tp + fp > 0 ? tp / (tp + fp) : null
  const recall = labelled > 0 ? tp / labelled : null
  const f1 = precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null
  return { threshold, tp, falseAlarms: fp, misses: Math.max(0, labelled - tp), precision, recall, f1 }
}

function checkLabelled(labelled: number) {
  if (!(Number.isInteger(labelled) && labelled >= 0)) throw new RangeError(`labelled must be a whole number ≥ 0, not ${labelled}`)
}
