// The training loop, free of tensors and files: epochs of batches (or, for a run trained to a time budget, as many
// steps as the pacer plans to fit), the learning rate per step, a checkpoint and evaluation every `evalEvery` epochs and
// after the last step, an ETA with every step, cancel between steps, and a non-finite loss turned into a failure that
// names the run's step. What a step, a batch or an evaluation is comes from the hooks, so the loop's rules
// are unit-tested with a stub trainer.
import type { RunStep } from '../../shared/api.js'
import { NonFiniteLossError, type StepResult } from '../detector/index.js'
import { Pacer } from './budget.js'
import { PROVISIONAL_SCHEDULE, plannedSchedule, rateAt, replanned, type Schedule } from './schedule.js'

export interface LoopPlan {
  /** Planned epochs (1-based, inclusive), or null for a run trained to a time budget (`deadline`). */
  epochs: number | null
  /** The epoch to begin with: 1, or the one after a resumed run's last checkpoint. */
  startEpoch: number
  batchesPerEpoch: number
  evalEvery: number
  learningRate: number
  /** A budget run's end, on the hooks' clock: the last evaluation is done by then. */
  deadline?: number
  /**
   * The learning-rate plan to go on with: a resumed budget run's, as its last checkpoint left it. Otherwise an epoch
   * run's is planned from its steps, and a budget run starts on the provisional one until it has timed a few steps.
   */
  schedule?: Schedule
  /** Batches an evaluation predicts: what an evaluation costs before one has been timed (the ETA and a budget's plan). */
  evalBatches?: number
}

export interface LoopHooks<B> {
  /** The epoch's batches in order; `batch` is null when none of its photos could be read (no step is taken). */
  batches(epoch: number): AsyncIterable<{ index: number; batch: B | null }>
  /** One optimizer step at this learning rate; throws NonFiniteLossError on a NaN loss (before any update). */
  step(batch: B, learningRate: number): StepResult | Promise<StepResult>
  /** A step was trained; the run should end in `etaMs` (evaluations included), or null while that is unknown. */
  onStep(step: RunStep, etaMs: number | null): void
  /** A budget run planned (or re-planned) its steps: it now ends at step `total`, on this schedule. */
  onPlan?(total: number, schedule: Schedule): void
  /**
   * Checkpoint and score the model as it is after `step`, the last step of `epoch` (or of a budget run, which can end
   * within an epoch), with the schedule then in force (a budget run's resume goes on with it).
   */
  evaluate(epoch: number, step: number, schedule: Schedule): Promise<void>
  signal: AbortSignal
  /**
   * Milliseconds one val batch takes to decode and predict, as in an evaluation once warm (or null with no readable val
   * photo): what an evaluation will cost before one is timed.
   */
  probeEvaluation?(): Promise<number | null>
  /** The wall clock in milliseconds (Date.now; tests pass their own). */
  now?(): number
}

export type LoopEnd = { state: 'done' | 'cancelled'; step: number; epoch: number }

/** The run failed for a reason the user can act on (the message says which). */
export class TrainingFailed extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TrainingFailed'
  }
}

const describe = (v: number) => (Number.isNaN(v) ? 'NaN' : String(v))

export function nonFiniteMessage(step: number, parts: { classification: number; box: number }): string {
  const what = Number.isNaN(parts.classification) || Number.isNaN(parts.box) ? 'NaN' : 'infinite'
  return (
    `the loss became ${what} at step ${step} (classification ${describe(parts.classification)}, box ${describe(parts.box)}); ` +
    'lower the learning rate, or check the labels for empty or inverted boxes'
  )
}

export const totalSteps = (plan: Pick<LoopPlan, 'epochs' | 'batchesPerEpoch'>) => (plan.epochs ?? 0) * plan.batchesPerEpoch

/** Should this epoch end with a checkpoint and an evaluation? (A budget run also evaluates at its last step.) */
export const evaluatesAfter = (epoch: number, plan: Pick<LoopPlan, 'epochs' | 'evalEvery'>) =>
  epoch % plan.evalEvery === 0 || epoch === plan.epochs

export async function trainLoop<B>(plan: LoopPlan, hooks: LoopHooks<B>): Promise<LoopEnd> {
  const now = hooks.now ?? Date.now
  const budget = plan.epochs === null
  const fixedTotal = budget ? null : totalSteps(plan)
  let schedule = plan.schedule ?? (fixedTotal === null ? PROVISIONAL_SCHEDULE : plannedSchedule(fixedTotal))
  const pacer = new Pacer({
    batchesPerEpoch: plan.batchesPerEpoch,
    evalEvery: plan.evalEvery,
    evalBatches: plan.evalBatches ?? 0,
    total: fixedTotal,
    deadline: plan.deadline,
  })
  let step = (plan.startEpoch - 1) * plan.batchesPerEpoch
  let epoch = plan.startEpoch - 1
  let evaluated = -1
  let probed = false
  // Each step is timed from the end of the one before (or of an evaluation): waiting for its batch is part of it.
  let mark = now()
  const evaluate = async (e: number, s: number) => {
    const started = now()
    await hooks.evaluate(e, s, schedule)
    evaluated = s
    mark = now()
    pacer.evalTimed(mark - started)
  }
  // A budget run's end: its last evaluation (unless the step it stopped at was just evaluated), and done. Stopped
  // short of its plan (the time ran out faster than a re-plan could follow), it records the steps it trained.
  const timeUp = async (e: number): Promise<LoopEnd> => {
    if (pacer.total !== step) hooks.onPlan?.(step, schedule)
    if (evaluated !== step) await evaluate(e, step)
    return { state: 'done', step, epoch: e }
  }
  for (let e = plan.startEpoch; plan.epochs === null || e <= plan.epochs; e++) {
    for await (const { index, batch } of hooks.batches(e)) {
      if (hooks.signal.aborted) return { state: 'cancelled', step, epoch }
      // Step numbers follow the plan (epoch, batch), not the steps taken, so a skipped batch or a resume keeps them.
      const n = (e - 1) * plan.batchesPerEpoch + index + 1
      if (pacer.stopsBefore(n, now())) return timeUp(step > (e - 1) * plan.batchesPerEpoch ? e : e - 1)
      if (batch === null) continue
      const learningRate = rateAt(schedule, n, plan.learningRate)
      let result: StepResult
      try {
        result = await hooks.step(batch, learningRate)
      } catch (error) {
        if (error instanceof NonFiniteLossError) throw new TrainingFailed(nonFiniteMessage(n, error.parts))
        throw error
      }
      step = n
      let t = now()
      pacer.stepTimed(t - mark)
      if (hooks.probeEvaluation && !probed && pacer.wantsEvalProbe && pacer.pace() !== null) {
        probed = true
        const batchMs = await hooks.probeEvaluation()
        if (batchMs !== null) pacer.evalBatchTimed(batchMs)
        t = now()
      }
      mark = t
      const total = pacer.replan(n, t)
      if (total !== null) {
        schedule = replanned(schedule, n, total)
        hooks.onPlan?.(total, schedule)
      }
      hooks.onStep(
        {
          step: n,
          epoch: e,
          loss: result.loss,
          classification: result.classification,
          box: result.box,
          learningRate,
          at: Date.now(),
        },
        pacer.etaMs(n, t),
      )
    }
    if (hooks.signal.aborted) return { state: 'cancelled', step, epoch }
    epoch = e
    step = e * plan.batchesPerEpoch
    if (budget && pacer.stopsBefore(step + 1, now())) return timeUp(e)
    if (evaluatesAfter(e, plan)) await evaluate(e, step)
  }
  return { state: 'done', step, epoch }
}
