import { describe, expect, it } from 'vitest'
import {
  FINAL_LR_FRACTION,
  learningRateAt,
  plannedSchedule,
  PROVISIONAL_SCHEDULE,
  rateAt,
  replanned,
  type Schedule,
  warmupSteps,
} from '../../../src/main/train/index.js'

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

describe('a schedule re-planned mid-run', () => {
  const base = 1e-3
  const rates = (steps: [number, Schedule][], to: number) => {
    // Each entry: from this step on (after it), this schedule.
    const out: number[] = []
    let k = 0
    for (let s = 1; s <= to; s++) {
      while (k + 1 < steps.length && steps[k + 1][0] < s) k++
      out.push(rateAt(steps[k][1], s, base))
    }
    return out
  }

  it('is the planned schedule until re-planned', () => {
    for (const s of [1, 10, 50, 51, 700, 1000]) expect(rateAt(plannedSchedule(1000), s, base)).toBe(learningRateAt(s, 1000, base))
  })

  it('shortened or lengthened in the decay, goes on from the rate it was at and still ends at the floor', () => {
    for (const total of [400, 2000]) {
      const first = plannedSchedule(1000)
      const second = replanned(first, 300, total)
      const lr = rates(
        [
          [0, first],
          [300, second],
        ],
        total,
      )
      // No jump: the step after the re-plan moves the rate no more than the new plan's later steps do.
      const later = Math.max(...lr.slice(301).map((r, i) => Math.abs(r - lr[300 + i])))
      expect(Math.abs(lr[300] - lr[299])).toBeLessThanOrEqual(later)
      expect(lr[300]).toBeLessThan(lr[299])
      for (let s = 301; s < total; s++) expect(lr[s]).toBeLessThanOrEqual(lr[s - 1])
      expect(lr[total - 1]).toBeCloseTo(base * FINAL_LR_FRACTION, 12)
      expect(second.warmup).toBe(first.warmup)
    }
  })

  it('re-planned during the warm-up, ramps from where it was to the base rate at the new warm-up’s end, then decays', () => {
    const provisional = PROVISIONAL_SCHEDULE
    expect(provisional.warmup).toBe(200)
    const plan = replanned(provisional, 4, 600)
    expect(plan.warmup).toBe(warmupSteps(600))
    const lr = rates(
      [
        [0, provisional],
        [4, plan],
      ],
      600,
    )
    expect(lr[3]).toBeCloseTo((base * 4) / 200, 12)
    for (let s = 1; s < plan.warmup; s++) expect(lr[s]).toBeGreaterThan(lr[s - 1])
    expect(lr[plan.warmup - 1]).toBeCloseTo(base, 12)
    expect(lr[599]).toBeCloseTo(base * FINAL_LR_FRACTION, 12)
    expect(Math.max(...lr)).toBeCloseTo(base, 12)
  })
})
