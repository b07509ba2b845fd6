// The training loop, free of tensors and files: epochs of batches, the learning rate per step, a checkpoint and
// evaluation every `evalEvery` epochs and after the last, cancel between steps, and a non-finite loss turned into a
// failure that names the run's step. What a step, a batch or an evaluation is comes from the hooks, so the loop's rules
// are unit-tested with a stub trainer.
import type { RunStep } from '../../shared/api.js'
import { NonFiniteLossError, type StepResult } from '../detector/index.js'
import { learningRateAt } from './schedule.js'

export interface LoopPlan {
  /** Planned epochs (1-based, inclusive). */
  epochs: number
  /** The epoch to begin with: 1, or the one after a resumed run's last checkpoint. */
  startEpoch: number
  batchesPerEpoch: number
  evalEvery: number
  learningRate: number
}

export interface LoopHooks<B> {
  /** The epoch's batches in order; `batch` is null when none of its photos could be read (no step is taken). */
  batches(epoch: number): AsyncIterable<{ index: number; batch: B | null }>
  /** One optimizer step at this learning rate; throws NonFiniteLossError on a NaN loss (before any update). */
  step(batch: B, learningRate: number): StepResult | Promise<StepResult>
  onStep(step: RunStep): void
  /** Checkpoint and score the model as it is after `step`, the last step of `epoch`. */
  evaluate(epoch: number, step: number): Promise<void>
  signal: AbortSignal
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

export const totalSteps = (plan: Pick<LoopPlan, 'epochs' | 'batchesPerEpoch'>) => plan.epochs * plan.batchesPerEpoch

/** Should this epoch end with a checkpoint and an evaluation? */
export const evaluatesAfter = (epoch: number, plan: Pick<LoopPlan, 'epochs' | 'evalEvery'>) =>
  epoch % plan.evalEvery === 0 || epoch === plan.epochs

export async function trainLoop<B>(plan: LoopPlan, hooks: LoopHooks<B>): Promise<LoopEnd> {
  const total = totalSteps(plan)
  let step = (plan.startEpoch - 1) * plan.batchesPerEpoch
  let epoch = plan.startEpoch - 1
  for (let e = plan.startEpoch; e <= plan.epochs; e++) {
    for await (const { index, batch } of hooks.batches(e)) {
      if (hooks.signal.aborted) return { state: 'cancelled', step, epoch }
      // Step numbers follow the plan (epoch, batch), not the steps taken, so a skipped batch or a resume keeps them.
      const n = (e - 1) * plan.batchesPerEpoch + index + 1
      if (batch === null) continue
      const learningRate = learningRateAt(n, total, plan.learningRate)
      let result: StepResult
      try {
        result = await hooks.step(batch, learningRate)
      } catch (error) {
        if (error instanceof NonFiniteLossError) throw new TrainingFailed(nonFiniteMessage(n, error.parts))
        throw error
      }
      step = n
      hooks.onStep({
        step: n,
        epoch: e,
        loss: result.loss,
        classification: result.classification,
        box: result.box,
        learningRate,
        at: Date.now(),
      })
    }
    if (hooks.signal.aborted) return { state: 'cancelled', step, epoch }
    epoch = e
    step = e * plan.batchesPerEpoch
    if (evaluatesAfter(e, plan)) await hooks.evaluate(e, step)
  }
  return { state: 'done', step, epoch }
}
