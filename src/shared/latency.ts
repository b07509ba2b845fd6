// Latency statistics for a benchmark's timed runs: the device runner prints them in its summary, and the studio
// computes the same numbers from the samples it stored, so both must come from one function.

export interface LatencyStats {
  p50Ms: number
  p90Ms: number
  p99Ms: number
  meanMs: number
  /** Inferences a second at the mean latency, one at a time: 1000 / meanMs. */
  fps: number
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between the two nearest ranks (numpy's default,
 * "type 7"): with few samples the nearest-rank rule would make p99 simply the maximum and jump in whole samples.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values')
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is not between 0 and 1`)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.min(below + 1, sorted.length - 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
}

/** p50/p90/p99 and mean latency in milliseconds, and the FPS they mean; null for no samples (nothing to say). */
export function latencyStats(ms: readonly number[]): LatencyStats | null {
  if (ms.length === 0) return null
  const bad = ms.find((v) => !Number.isFinite(v) || v < 0)
  if (bad !== undefined) throw new Error(`a latency must be a finite number of milliseconds ≥ 0, not ${bad}`)
  const sorted = [...ms].sort((a, b) => a - b)
  const meanMs = sorted.reduce((sum, v) => sum + v, 0) / sorted.length
  return {
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    p99Ms: quantile(sorted, 0.99),
    meanMs,
    fps: meanMs > 0 ? 1000 / meanMs : Infinity,
  }
}
