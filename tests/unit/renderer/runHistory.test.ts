import { describe, expect, it } from 'vitest'
import type { RunEval, RunStep } from '../../../src/shared/api'
import { Ema, RunHistory } from '../../../src/renderer/src/pages/Train/runHistory'

const step = (n: number, loss = 1, at = 1000 + n): RunStep => ({
  step: n,
  epoch: 1,
  loss,
  classification: loss * 0.6,
  box: loss * 0.4,
  learningRate: 1e-3,
  at,
})
const evaluation = (n: number, ap50: number, at = 1000 + n): RunEval => ({
  step: n,
  epoch: n / 10,
  ap50,
  ap: ap50 / 2,
  recall: ap50 + 0.1,
  checkpoint: `/runs/1/step-${n}`,
  at,
})
const stepsOf = (history: RunHistory) => [...history.stepsView()]

describe('the debiased moving average of a loss', () => {
  it('starts at the first value, not near zero', () => {
    const ema = new Ema(0.9)
    expect(ema.push(4)).toBeCloseTo(4)
    // Two points: (0.9·0.1·4 + 0.1·2) / (1 − 0.81)
    expect(ema.push(2)).toBeCloseTo((0.09 * 4 + 0.1 * 2) / 0.19)
  })

  it('follows a constant exactly, and weight 0 is no smoothing', () => {
    const ema = new Ema(0.99)
    for (let i = 0; i < 50; i++) expect(ema.push(3)).toBeCloseTo(3)
    const none = new Ema(0)
    expect(none.push(5)).toBe(5)
    expect(none.push(1)).toBe(1)
  })

  it('skips a NaN or infinite loss instead of poisoning every later point', () => {
    const ema = new Ema(0.5)
    expect(Number.isNaN(ema.push(Number.NaN))).toBe(true)
    expect(ema.push(2)).toBeCloseTo(2)
    expect(ema.push(Number.POSITIVE_INFINITY)).toBeCloseTo(2)
  })
})

describe("a run's step history, from runs.get and then live events", () => {
  it('appends steps in order and keeps raw and smoothed series side by side', () => {
    const history = new RunHistory(1, 0.5)
    history.addSteps([step(1, 4), step(2, 2)])
    expect(stepsOf(history)).toEqual([1, 2])
    expect([...history.rawView('loss')]).toEqual([4, 2])
    expect([...history.rawView('box')]).toEqual([1.6, 0.8])
    expect(history.smoothView('loss')[0]).toBeCloseTo(4)
    expect(history.latestSmooth('loss')).toBeCloseTo((0.25 * 4 + 0.5 * 2) / 0.75)
  })

  it('ignores an event that raced runs.get and is already in its history', () => {
    const history = new RunHistory(1)
    history.addSteps([1, 2, 3, 4, 5].map((n) => step(n)))
    expect(history.addStep(step(3))).toBe(false)
    expect(history.addStep(step(5))).toBe(false)
    expect(stepsOf(history)).toEqual([1, 2, 3, 4, 5])
    expect(history.addStep(step(6))).toBe(true)
    expect(stepsOf(history)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('drops the superseded steps when a resumed run repeats steps after its last checkpoint', () => {
    const history = new RunHistory(1, 0)
    history.addSteps([1, 2, 3, 4, 5].map((n) => step(n, n)))
    // Resumed from the checkpoint at step 3: step 4 comes again, later and with another loss.
    expect(history.addStep(step(4, 40, 9000))).toBe(true)
    expect(stepsOf(history)).toEqual([1, 2, 3, 4])
    expect([...history.rawView('loss')]).toEqual([1, 2, 3, 40])
    expect([...history.smoothView('loss')]).toEqual([1, 2, 3, 40])
  })

  it('knows the epoch of its last step, for progress between run.changed events', () => {
    const history = new RunHistory(1)
    expect(history.lastEpoch).toBeNull()
    history.addStep({ ...step(1), epoch: 2 })
    expect(history.lastEpoch).toBe(2)
    expect(history.lastStep).toBe(1)
  })

  it('grows past its first capacity without losing a point', () => {
    const history = new RunHistory(1)
    for (let n = 1; n <= 5000; n++) history.addStep(step(n, 1 / n))
    expect(history.length).toBe(5000)
    expect(history.stepsView()[4999]).toBe(5000)
    expect(history.rawView('loss')[2499]).toBeCloseTo(1 / 2500)
  })

  it('recomputes the smoothed series when the smoothing changes', () => {
    const history = new RunHistory(1, 0.9)
    history.addSteps([step(1, 1), step(2, 3)])
    history.setSmoothing(0)
    expect([...history.smoothView('loss')]).toEqual([1, 3])
    history.addStep(step(3, 5))
    expect(history.latestSmooth('loss')).toBe(5)
  })
})

describe("a run's evaluations", () => {
  it('keeps them in step order, once each, a newer one of the same step replacing the older', () => {
    const history = new RunHistory(1)
    history.addEvals([evaluation(10, 0.2), evaluation(30, 0.4)])
    expect(history.addEval(evaluation(20, 0.3))).toBe(true)
    expect(history.addEval(evaluation(30, 0.4))).toBe(false)
    expect(history.evals.map((e) => e.step)).toEqual([10, 20, 30])
    expect(history.addEval(evaluation(30, 0.5, 9000))).toBe(true)
    expect(history.evals.map((e) => e.ap50)).toEqual([0.2, 0.3, 0.5])
  })
})
