// The loop's rules with a stub trainer: step numbering, evaluation cadence, cancel between steps, resume from an epoch,
// and a non-finite loss turned into a failure naming the run's step.
import { describe, expect, it } from 'vitest'
import type { RunStep } from '../../../src/shared/api.js'
import { NonFiniteLossError } from '../../../src/main/detector/index.js'
import { trainLoop, TrainingFailed, type LoopHooks, type LoopPlan } from '../../../src/main/train/index.js'

function stub(plan: LoopPlan, options: { nanAt?: number; cancelAt?: number; empty?: { epoch: number; index: number } } = {}) {
  const abort = new AbortController()
  const steps: RunStep[] = []
  const evaluated: [number, number][] = []
  let calls = 0
  const hooks: LoopHooks<string> = {
    signal: abort.signal,
    async *batches(epoch) {
      for (let index = 0; index < plan.batchesPerEpoch; index++) {
        yield { index, batch: options.empty?.epoch === epoch && options.empty.index === index ? null : `e${epoch}b${index}` }
      }
    },
    step: () => {
      calls++
      // The trainer counts its own calls; the loop must name the run's step instead.
      if (calls === options.nanAt) throw new NonFiniteLossError(calls, { classification: NaN, box: 0.5 })
      return { loss: 1, classification: 0.5, box: 0.5, positives: 3 }
    },
    onStep: (s) => {
      steps.push(s)
      if (s.step === options.cancelAt) abort.abort()
    },
    evaluate: async (epoch, step) => {
      evaluated.push([epoch, step])
    },
  }
  return { hooks, steps, evaluated }
}

const plan: LoopPlan = { epochs: 5, startEpoch: 1, batchesPerEpoch: 3, evalEvery: 2, learningRate: 0.01 }

describe('trainLoop', () => {
  it('numbers steps by epoch and batch, and evaluates every evalEvery epochs and after the last', async () => {
    const { hooks, steps, evaluated } = stub(plan)
    expect(await trainLoop(plan, hooks)).toEqual({ state: 'done', step: 15, epoch: 5 })
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
    expect(steps.map((s) => s.epoch)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5])
    expect(evaluated).toEqual([
      [2, 6],
      [4, 12],
      [5, 15],
    ])
    expect(steps[14].learningRate).toBeCloseTo(0.01 * 0.01, 12)
  })

  it('resumes at a later epoch with the same step numbers and learning rates', async () => {
    const full = stub(plan)
    await trainLoop(plan, full.hooks)
    const resumed = stub(plan)
    expect(await trainLoop({ ...plan, startEpoch: 3 }, resumed.hooks)).toEqual({ state: 'done', step: 15, epoch: 5 })
    expect(resumed.steps.map(({ at: _, ...s }) => s)).toEqual(full.steps.slice(6).map(({ at: _, ...s }) => s))
  })

  it('a batch with no readable photo takes no step; the numbering goes on', async () => {
    const { hooks, steps } = stub(plan, { empty: { epoch: 1, index: 1 } })
    await trainLoop(plan, hooks)
    expect(steps.map((s) => s.step).slice(0, 3)).toEqual([1, 3, 4])
  })

  it('stops after the current step when cancelled, without evaluating again', async () => {
    const { hooks, steps, evaluated } = stub(plan, { cancelAt: 8 })
    expect(await trainLoop(plan, hooks)).toEqual({ state: 'cancelled', step: 8, epoch: 2 })
    expect(steps.at(-1)!.step).toBe(8)
    expect(evaluated).toEqual([[2, 6]])
  })

  it('fails on a NaN loss, naming the run step (not the trainer’s count) and what to do', async () => {
    const { hooks, steps } = stub(plan, { nanAt: 5 })
    const resumed = trainLoop({ ...plan, startEpoch: 3 }, hooks) // step 5 of this session is run step 11
    await expect(resumed).rejects.toThrow(TrainingFailed)
    await expect(resumed).rejects.toThrow('the loss became NaN at step 11 (classification NaN, box 0.5); lower the learning rate')
    expect(steps.map((s) => s.step)).toEqual([7, 8, 9, 10])
  })
})
