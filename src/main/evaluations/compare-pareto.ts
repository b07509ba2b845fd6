// The accuracy–latency front: the runs worth choosing between on a device. A run is on it when no other run is both at
// least as accurate and at least as fast, and strictly better in one of the two; every other run has a run that beats
// it outright. A run with no accuracy or no latency on the device cannot be placed, so it is never on the front (the
// table still lists it). Two runs with the very same numbers are both on it: neither beats the other.

export interface FrontCandidate {
  id: number
  /** Higher is better: AP50, or a classifier's accuracy. */
  accuracy: number | null
  /** Lower is better: p50 milliseconds on the device. */
  latencyMs: number | null
}

interface Placed {
  id: number
  accuracy: number
  latencyMs: number
}

const placed = (c: FrontCandidate): c is FrontCandidate & Placed =>
  c.accuracy !== null && c.latencyMs !== null && Number.isFinite(c.accuracy) && Number.isFinite(c.latencyMs)

/** Whether `a` beats `b`: as accurate and as fast at least, and better in one. */
export const dominates = (a: Placed, b: Placed): boolean =>
  a.accuracy >= b.accuracy && a.latencyMs <= b.latencyMs && (a.accuracy > b.accuracy || a.latencyMs < b.latencyMs)

/**
 * The ids of the runs on the front, fastest first (then the more accurate first, then by id): the order a step line
 * through them is drawn in, each step up buying accuracy with time.
 */
export function paretoFront(candidates: readonly FrontCandidate[]): number[] {
  const points = candidates.filter(placed)
  // Quadratic, and clearer for it: a project has tens of runs, not thousands.
  return points
    .filter((p) => !points.some((q) => q !== p && dominates(q, p)))
    .sort((a, b) => a.latencyMs - b.latencyMs || b.accuracy - a.accuracy || a.id - b.id)
    .map((p) => p.id)
}
