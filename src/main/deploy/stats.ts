// Interim: replaced by src/shared/latency.ts (latencyStats) when the runner branch is merged.
export interface LatencyStats {
  p50Ms: number
  p90Ms: number
  p99Ms: number
  meanMs: number
  fps: number
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.min(below + 1, sorted.length - 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
}

export function latencyStats(ms: readonly number[]): LatencyStats | null {
  if (ms.length === 0) return null
  const sorted = [...ms].sort((a, b) => a - b)
  const meanMs = sorted.reduce((s, v) => s + v, 0) / sorted.length
  return {
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    p99Ms: quantile(sorted, 0.99),
    meanMs,
    fps: meanMs > 0 ? 1000 / meanMs : Infinity,
  }
}
