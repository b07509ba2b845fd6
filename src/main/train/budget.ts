// Pacing a run by the wall clock: how long its steps and evaluations take, when it will end (the ETA every run shows),
// and for a run trained to a time budget, how many steps fit before the deadline. Steps are timed as the loop sees them
// (waiting for the batch included), evaluations (checkpoint and scoring) likewise: both spend the budget. The first
// steps of a session warm the engine up (kernels compile, memory grows) and are not counted in the pace.
//
// A budget run plans once it has timed a step past the warm-up, then again whenever the pace drifts from its plan by more than a
// little: the new plan is the most steps whose training, the evaluations due on the way and the final one (so the best
// checkpoint exists when the time is up) end by the deadline. The schedule (schedule.ts) is re-sized at the step it
// is at, so the learning rate never jumps.

/** Steps of a session not counted in the pace: the engine's warm-up. */
export const WARMUP_STEPS = 1
/**
 * Steps timed before a budget run's first plan: one, as a short budget may hold only a few steps (each later step
 * refines the pace, and a drift re-plans).
 */
export const MEASURED_STEPS = 1
/** Recent steps the pace averages over: recent enough to follow a machine that got busier, long enough to be steady. */
export const PACE_WINDOW = 30
/** A re-plan happens when the fitted plan differs from the current one by more than this share of the steps left. */
export const DRIFT_TOLERANCE = 0.03
/**
 * Before a run has evaluated once, an evaluation is estimated from one val batch's prediction timed at the start (a
 * budget run's), or else guessed from the pace: a forward pass over a val batch costs about a third of a training step
 * on one thread, and training runs on up to two replicas (README, "Cores").
 */
export const EVAL_BATCH_SHARE = 0.6
export const CHECKPOINT_GUESS_MS = 1000
/**
 * A whole evaluation costs more a batch than the one timed alone (its decoding competes with its predictions, and
 * scoring comes after): a margin, so that a budget run's last evaluation ends in time (README, Performance).
 */
export const EVAL_PROBE_MARGIN = 1.2

export interface PacerOptions {
  batchesPerEpoch: number
  evalEvery: number
  /** Batches one evaluation predicts (val photos / batch size). */
  evalBatches: number
  /** Epoch runs: the last step. Budget runs: null (the pacer plans it). */
  total: number | null
  /** Budget runs: when the time is up, in the clock's milliseconds. */
  deadline?: number
}

export class Pacer {
  private readonly stepMs: number[] = []
  private sessionSteps = 0
  private evalMs: number | null = null
  private evalBatchMs: number | null = null
  private planned: number | null
  /** A budget run's total steps, once planned. */
  get total(): number | null {
    return this.planned
  }

  constructor(readonly options: PacerOptions) {
    this.planned = options.total
  }

  get budgeted(): boolean {
    return this.options.deadline !== undefined
  }

  /** Milliseconds a step takes lately, or null before any step past the engine's warm-up. */
  pace(): number | null {
    if (this.stepMs.length === 0) return null
    const recent = this.stepMs.slice(-PACE_WINDOW)
    return recent.reduce((a, b) => a + b, 0) / recent.length
  }

  /** One evaluation's cost: the last one measured, or a guess from the pace. */
  evalCost(): number | null {
    if (this.evalMs !== null) return this.evalMs
    const batch = this.evalBatchMs ?? (this.pace() === null ? null : this.pace()! * EVAL_BATCH_SHARE)
    return batch === null ? null : CHECKPOINT_GUESS_MS + this.options.evalBatches * batch
  }

  stepTimed(ms: number): void {
    this.sessionSteps++
    if (this.sessionSteps > WARMUP_STEPS) this.stepMs.push(ms)
  }

  evalTimed(ms: number): void {
    this.evalMs = ms
  }

  /** One val batch's prediction took `ms` (decoding included): until an evaluation is timed, what each will cost. */
  evalBatchTimed(ms: number): void {
    this.evalBatchMs = ms * EVAL_PROBE_MARGIN
  }

  /** A budget run times a val batch once, before its first plan: an evaluation may be much of a short budget. */
  get wantsEvalProbe(): boolean {
    return this.budgeted && this.evalMs === null && this.evalBatchMs === null && this.options.evalBatches > 0
  }

  /** Evaluations from after `step` to `total` inclusive: those due at epoch ends, and the last step's. */
  evaluationsAfter(step: number, total: number): number {
    const { batchesPerEpoch: bpe, evalEvery: every } = this.options
    // Epochs ending strictly between `step` and `total`, and of those the ones that evaluate (multiples of evalEvery).
    const first = Math.floor(step / bpe) + 1
    const last = Math.ceil(total / bpe) - 1
    return 1 + (last >= first ? Math.floor(last / every) - Math.floor((first - 1) / every) : 0)
  }

  /** Time from after `step` to the end of `total` steps: training, the evaluations due and the last one. */
  remainingMs(step: number, total: number): number | null {
    const pace = this.pace()
    const evalCost = this.evalCost()
    if (pace === null || evalCost === null) return null
    return Math.max(0, total - step) * pace + this.evaluationsAfter(step, total) * evalCost
  }

  /** The most steps that end (with their evaluations) by the deadline, from `step` at `now`; at least `step`. */
  fit(step: number, now: number): number | null {
    const left = this.options.deadline! - now
    const pace = this.pace()
    if (pace === null || this.evalCost() === null) return null
    let lo = step
    let hi = step + Math.max(1, Math.ceil(left / pace))
    if (this.remainingMs(step, lo)! > left) return step
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (this.remainingMs(step, mid)! <= left) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /**
   * After `step` was trained: a budget run's new total when it should (re-)plan — its first plan once enough steps are
   * timed, then whenever the pace has drifted — or null to keep the plan.
   */
  replan(step: number, now: number): number | null {
    if (!this.budgeted) return null
    if (this.stepMs.length < MEASURED_STEPS && !this.outOfTime(now)) return null
    const fitted = this.fit(step, now)
    if (fitted === null) return null
    const current = this.planned
    if (current !== null && Math.abs(fitted - current) <= Math.max(1, DRIFT_TOLERANCE * (current - step))) return null
    this.planned = fitted
    return fitted
  }

  /**
   * A budget run must stop before `step + 1`: its plan is done, or the step and the last evaluation no longer fit (the
   * machine slowed down faster than a re-plan could follow).
   */
  stopsBefore(nextStep: number, now: number): boolean {
    if (!this.budgeted) return false
    if (this.planned !== null && nextStep > this.planned) return true
    return this.outOfTime(now)
  }

  private outOfTime(now: number): boolean {
    const left = this.options.deadline! - now
    const pace = this.pace() ?? 0
    return left < pace + (this.evalCost() ?? 0)
  }

  /** Milliseconds until the run ends (with its evaluations), after `step` at `now`; null until there is a pace. */
  etaMs(step: number, now: number): number | null {
    if (this.planned === null) return this.budgeted ? Math.max(0, this.options.deadline! - now) : null
    const left = this.remainingMs(step, this.planned)
    if (left === null) return this.budgeted ? Math.max(0, this.options.deadline! - now) : null
    return left
  }
}
