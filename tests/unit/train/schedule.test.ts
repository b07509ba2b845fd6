import { describe, expect, it } from 'vitest'
import { FINAL_LR_FRACTION, learningRateAt, warmupSteps } from '../../../src/main/train/index.js'

describe('learningRateAt', () => {
  it('warms up linearly, peaks at the base rate, then decays by a cosine to the floor at the last step', () => {
    const total = 1000
    const warmup = warmupSteps(total)
    expect(warmup).toBe(50)
    expect(learningRateAt(1, total, 1e-3)).toBeCloseTo(1e-3 / 50, 12)
    expect(learningRateAt(25, total, 1e-3)).toBeCloseTo(0.5e-3, 12)
    expect(learningRateAt(warmup, total, 1e-3)).toBeCloseTo(1e-3, 12)
    expect(learningRateAt(total, total, 1e-3)).toBeCloseTo(1e-3 * FINAL_LR_FRACTION, 12)
    const middle = learningRateAt(warmup + (total - warmup) / 2, total, 1e-3)
    expect(middle).toBeCloseTo(1e-3 * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) / 2), 12)
    for (let s = warmup + 1; s <= total; s++) expect(learningRateAt(s, total, 1e-3)).toBeLessThanOrEqual(learningRateAt(s - 1, total, 1e-3))
  })

  it('a one-step run trains at the base rate; warm-up is at most 200 steps', () => {
    expect(learningRateAt(1, 1, 0.01)).toBe(0.01)
    expect(warmupSteps(1_000_000)).toBe(200)
  })
})
