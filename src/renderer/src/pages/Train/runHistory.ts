// A run's curves as the charts draw them: every step's losses and every evaluation, from `runs.get` and then from the
// live `run.step` / `run.eval` events, in one place that knows how to merge the two. Pure (no React, no DOM), so the
// merge rules are unit-tested. A long run has tens of thousands of steps and the events arrive several a second, so the
// step series live in growable typed arrays: appending is amortised O(1), and the chart gets `subarray` views of them.
import type { RunEval, RunStep } from '../../../../shared/api'

/** The three step losses a chart shows, in this order. */
export const LOSS_SERIES = ['loss', 'classification', 'box'] as const
export type LossSeries = (typeof LOSS_SERIES)[number]

/** TensorBoard's default weight: smooth enough to read a noisy SSD loss, quick enough to show a change of trend. */
export const DEFAULT_SMOOTHING = 0.9

const INITIAL_CAPACITY = 1024

/**
 * An exponential moving average that is debiased the way TensorBoard's is (divided by 1 − wⁿ), so the first points
 * are not dragged towards zero. Non-finite values (the step where a loss became NaN) are skipped, not averaged in.
 */
export class Ema {
  private sum = 0
  private count = 0
  constructor(readonly weight: number) {}

  push(value: number): number {
    if (Number.isFinite(value)) {
      this.sum = this.sum * this.weight + (1 - this.weight) * value
      this.count++
    }
    return this.value()
  }

  value(): number {
    if (this.count === 0) return Number.NaN
    return this.weight === 0 ? this.sum : this.sum / (1 - this.weight ** this.count)
  }
}

export class RunHistory {
  private size = 0
  private steps = new Float64Array(INITIAL_CAPACITY)
  private at = new Float64Array(INITIAL_CAPACITY)
  private raw = LOSS_SERIES.map(() => new Float64Array(INITIAL_CAPACITY))
  private smooth = LOSS_SERIES.map(() => new Float64Array(INITIAL_CAPACITY))
  private emas: Ema[]
  private evalList: RunEval[] = []
  private latestEpoch: number | null = null

  constructor(
    readonly runId: number,
    private smoothing = DEFAULT_SMOOTHING,
  ) {
    this.emas = LOSS_SERIES.map(() => new Ema(smoothing))
  }

  /** Steps held. */
  get length(): number {
    return this.size
  }

  get lastStep(): number | null {
    return this.size === 0 ? null : this.steps[this.size - 1]
  }

  /** The epoch of the last step held: live, where `run.changed` (sent once an epoch) lags. */
  get lastEpoch(): number | null {
    return this.size === 0 ? null : this.latestEpoch
  }

  get evals(): readonly RunEval[] {
    return this.evalList
  }

  /**
   * Add one step, keeping steps in order and unique: a step after the last one is appended (the usual case); one already
   * held with the same or an older time is a duplicate (an event that raced `runs.get`) and is ignored; one already held
   * (or inside the range held) with a newer time means the run went back — a resumed run repeats the steps after its
   * last checkpoint — so what followed that point is dropped and the step appended. Returns whether anything changed.
   */
  addStep(step: RunStep): boolean {
    const last = this.lastStep
    if (last === null || step.step > last) {
      this.append(step)
      return true
    }
    const index = this.lowerBound(step.step)
    const newest = this.at[this.size - 1]
    const isDuplicate = this.steps[index] === step.step ? step.at <= this.at[index] : step.at <= newest
    if (isDuplicate) return false
    this.truncate(index)
    this.append(step)
    return true
  }

  addSteps(steps: readonly RunStep[]): boolean {
    let changed = false
    for (const step of steps) changed = this.addStep(step) || changed
    return changed
  }

  /**
   * Add one evaluation, kept in step order and unique by step: a newer evaluation of the same step (a resumed run
   * evaluating again) replaces the older one; a repeat of one held is ignored.
   */
  addEval(evaluation: RunEval): boolean {
    const list = this.evalList
    const at = list.findIndex((e) => e.step >= evaluation.step)
    if (at === -1) {
      this.evalList = [...list, evaluation]
      return true
    }
    if (list[at].step === evaluation.step) {
      if (evaluation.at <= list[at].at) return false
      this.evalList = [...list.slice(0, at), evaluation, ...list.slice(at + 1)]
      return true
    }
    this.evalList = [...list.slice(0, at), evaluation, ...list.slice(at)]
    return true
  }

  addEvals(evals: readonly RunEval[]): boolean {
    let changed = false
    for (const evaluation of evals) changed = this.addEval(evaluation) || changed
    return changed
  }

  /** Change the smoothing weight (0: none, up to 0.999) and recompute the smoothed series. */
  setSmoothing(weight: number): void {
    if (weight === this.smoothing) return
    this.smoothing = weight
    this.recomputeSmooth(0)
  }

  /** The x values (step numbers) and one series, as views of the held data: valid until the next change. */
  stepsView(): Float64Array {
    return this.steps.subarray(0, this.size)
  }

  rawView(series: LossSeries): Float64Array {
    return this.raw[LOSS_SERIES.indexOf(series)].subarray(0, this.size)
  }

  smoothView(series: LossSeries): Float64Array {
    return this.smooth[LOSS_SERIES.indexOf(series)].subarray(0, this.size)
  }

  /** The latest smoothed value of a series (NaN with no finite value yet). */
  latestSmooth(series: LossSeries): number {
    return this.size === 0 ? Number.NaN : this.smooth[LOSS_SERIES.indexOf(series)][this.size - 1]
  }

  private append(step: RunStep): void {
    if (this.size === this.steps.length) this.grow()
    const i = this.size++
    this.steps[i] = step.step
    this.at[i] = step.at
    this.latestEpoch = step.epoch
    LOSS_SERIES.forEach((name, s) => {
      this.raw[s][i] = step[name]
      this.smooth[s][i] = this.emas[s].push(step[name])
    })
  }

  private truncate(size: number): void {
    this.size = size
    this.recomputeSmooth(size)
  }

  /** Restart the averages and replay them over the points held (from `from` on; the earlier ones are replayed too,
   * since an EMA's state is the whole past — O(n), and only on a resume or a change of smoothing). */
  private recomputeSmooth(from: number): void {
    this.emas = LOSS_SERIES.map(() => new Ema(this.smoothing))
    for (let i = 0; i < this.size; i++) {
      for (let s = 0; s < LOSS_SERIES.length; s++) {
        const value = this.emas[s].push(this.raw[s][i])
        if (i >= from) this.smooth[s][i] = value
      }
    }
  }

  private grow(): void {
    const bigger = (old: Float64Array) => {
      const next = new Float64Array(old.length * 2)
      next.set(old)
      return next
    }
    this.steps = bigger(this.steps)
    this.at = bigger(this.at)
    this.raw = this.raw.map(bigger)
    this.smooth = this.smooth.map(bigger)
  }

  /** The first index whose step is ≥ `step` (steps are sorted). */
  private lowerBound(step: number): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.steps[mid] < step) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
