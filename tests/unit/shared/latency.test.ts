import { describe, expect, it } from 'vitest'
import { latencyStats, quantile } from '../../../src/shared/latency.js'

describe('latencyStats', () => {
  it('interpolates percentiles between ranks, like numpy.percentile', () => {
    // numpy.percentile([1..10], [50, 90, 99]) = 5.5, 9.1, 9.91
    const stats = latencyStats([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])!
    expect(stats.p50Ms).toBeCloseTo(5.5, 12)
    expect(stats.p90Ms).toBeCloseTo(9.1, 12)
    expect(stats.p99Ms).toBeCloseTo(9.91, 12)
    expect(stats.meanMs).toBeCloseTo(5.5, 12)
    expect(stats.fps).toBeCloseTo(1000 / 5.5, 9)
  })

  it('gives the one value for every percentile of a single sample', () => {
    expect(latencyStats([12.5])).toEqual({ p50Ms: 12.5, p90Ms: 12.5, p99Ms: 12.5, meanMs: 12.5, fps: 80 })
  })

  it('does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2]
    latencyStats(samples)
    expect(samples).toEqual([3, 1, 2])
  })

  it('has nothing to say about no samples, and refuses nonsense', () => {
    expect(latencyStats([])).toBeNull()
    expect(() => latencyStats([1, Number.NaN])).toThrow(/finite number of milliseconds ≥ 0, not NaN/)
    expect(() => latencyStats([-1])).toThrow(/not -1/)
    expect(() => quantile([1], 1.5)).toThrow(/not between 0 and 1/)
  })
})
