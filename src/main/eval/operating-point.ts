// A detector's operating points: what it does at a score threshold. Every detection is either a hit (it found a labelled
// box at the IoU) or a false alarm; counting those at or above each distinct score, highest first, gives the curve a
// threshold picker moves along — precision, recall, F1, false alarms and misses at any threshold follow from it.

export interface ScoredOutcome {
  score: number
  tp: boolean
}

/** After counting every detection scoring at least `score`: hits and false alarms. */
export interface CountPoint {
  score: number
  tp: number
  fp: number
}

export interface OperatingPoint extends CountPoint {
  precision: number
  recall: number
  f1: number
  misses: number
}

/** One point per distinct score, highest first, cumulative: equal scores are counted together (a threshold cannot split them). */
export function countCurve(outcomes: readonly ScoredOutcome[]): CountPoint[] {
  const ranked = outcomes.slice().sort((a, b) => b.score - a.score)
  const points: CountPoint[] = []
  let tp = 0
  let fp = 0
  for (let i = 0; i < ranked.length; i++) {
    if (ranked[i].tp) tp++
    else fp++
    if (i === ranked.length - 1 || ranked[i + 1].score !== ranked[i].score) points.push({ score: ranked[i].score, tp, fp })
  }
  return points
}

/**
 * At most `max` points, evenly spaced by rank, the first and the last kept (the last is the most the model finds). A
 * picker between two kept points reads the nearer one above: off by at most one step of the spacing.
 */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice()
  const out: T[] = []
  const step = (points.length - 1) / (max - 1)
  for (let k = 0; k < max; k++) out.push(points[Math.round(k * step)])
  return out
}

/**
 * Precision, recall and F1 of a count. Nothing detected yet is precision 1 (no false alarm), as a PR curve starts;
 * nothing labelled is recall 0.
 */
export function operatingPoint(point: CountPoint, labelled: number): OperatingPoint {
  const precision = point.tp + point.fp > 0 ? point.tp / (point.tp + point.fp) : 1
  const recall = labelled > 0 ? point.tp / labelled : 0
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return { score: point.score, tp: point.tp, fp: point.fp, precision, recall, f1, misses: Math.max(0, labelled - point.tp) }
}

/** The state at a threshold: the last point at or above it (none yet: nothing counted). */
export function pointAt(curve: readonly CountPoint[], threshold: number, labelled: number): OperatingPoint {
  // Scores fall along the curve, so binary search for the last one still ≥ threshold.
  let lo = 0
  let hi = curve.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (curve[mid].score >= threshold) lo = mid + 1
    else hi = mid
  }
  const at = lo === 0 ? { tp: 0, fp: 0 } : curve[lo - 1]
  return operatingPoint({ score: threshold, tp: at.tp, fp: at.fp }, labelled)
}

/**
 * The threshold with the best F1 (the harmonic mean of precision and recall); among equals the higher score, which
 * keeps fewer detections for the same quality. Null when no detection finds anything.
 */
export function bestF1(curve: readonly CountPoint[], labelled: number): OperatingPoint | null {
  // Plain numbers in the loop (a curve has a point per detection: 200,000 for a big evaluation); one object at the end.
  let best = -1
  let bestF = -1
  for (let i = 0; i < curve.length; i++) {
    const { tp, fp } = curve[i]
    if (tp === 0) continue
    const precision = tp / (tp + fp)
    const recall = labelled > 0 ? tp / labelled : 0
    const f1 = (2 * precision * recall) / (precision + recall)
    if (f1 > bestF) {
      bestF = f1
      best = i
    }
  }
  return best < 0 ? null : operatingPoint(curve[best], labelled)
}
