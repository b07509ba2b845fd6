// Training to a time budget, on a simulated clock: the loop times its steps and evaluations, plans the steps that fit
// (evaluations and the last checkpoint counted), re-plans when the pace drifts without the learning rate jumping, and
// ends with its last evaluation by the deadline. Also the ETA every run reports.
import { describe, expect, it } from 'vitest'
import type { RunStep } from '../../../src/shared/api.js'
import { FINAL_LR_FRACTION, Pacer, trainLoop, type LoopPlan, type Schedule } from '../../../src/main/train/index.js'

interface Simulation {
  /** Milliseconds step n takes (the first is the engine's warm-up). */
  stepMs(n: number): number
  evalMs: number
  /** Milliseconds one val batch's prediction takes, when the loop can time one. */
  probeMs?: number
}

function simulate(plan: LoopPlan, sim: Simulation) {
  let t = 0
  const steps: RunStep[] = []
  const etas: (number | null)[] = []
  const plans: { at: number; total: number }[] = []
  const evals: { epoch: number; step: number; at: number; schedule: Schedule }[] = []
  let probes = 0
  const end = trainLoop<number>(plan, {
    signal: new AbortController().signal,
    now: () => t,
    async *batches(epoch) {
      for (let index = 0; index < plan.batchesPerEpoch; index++) yield { index, batch: (epoch - 1) * plan.batchesPerEpoch + index + 1 }
    },
    step: (n) => {
      t += sim.stepMs(n)
      return { loss: 1, classification: 0.5, box: 0.5, positives: 3 }
    },
    onStep: (s, eta) => {
      steps.push(s)
      etas.push(eta)
    },
    onPlan: (total) => plans.push({ at: steps.length + 1, total }), // called before the step's onStep
    ...(sim.probeMs === undefined
      ? {}
      : {
          probeEvaluation: async () => {
            t += 3 * sim.probeMs! // decoding, a first prediction that warms up, and the one timed
            probes++
            return sim.probeMs!
          },
        }),
    evaluate: async (epoch, step, schedule) => {
      t += sim.evalMs
      evals.push({ epoch, step, at: t, schedule })
    },
  })
  return { end, steps, etas, plans, evals, clock: () => t, probes: () => probes }
}

const MINUTE = 60_000
const budget = (minutes: number, more: Partial<LoopPlan> = {}): LoopPlan => ({
  epochs: null,
  startEpoch: 1,
  batchesPerEpoch: 25,
  evalEvery: 1,
  learningRate: 1e-3,
  deadline: minutes * MINUTE,
  evalBatches: 4,
  ...more,
})

describe('a run with a time budget', () => {
  it('plans its steps from the measured step time and ends, evaluated, on time', async () => {
    const run = simulate(budget(2), { stepMs: (n) => (n === 1 ? 4000 : 500), evalMs: 1500 })
    const end = await run.end
    // 120 s: 4 s of warm-up, then 0.5 s steps and a 1.5 s evaluation every 25 steps (12.5 + 1.5 s an epoch).
    expect(end.state).toBe('done')
    expect(run.clock()).toBeLessThanOrEqual(2 * MINUTE)
    expect(run.clock()).toBeGreaterThan(2 * MINUTE - 2000)
    // Planned after the warm-up step and one timed one, close to what fits (evaluations are guessed until one is
    // timed); the run ends at its last plan.
    expect(run.plans[0].at).toBe(2)
    expect(Math.abs(run.plans[0].total - end.step)).toBeLessThan(0.05 * end.step)
    expect(run.plans.at(-1)!.total).toBe(end.step)
    expect(end.step).toBeGreaterThan(200)
    // The last evaluation is of the last step, and the schedule decayed to its floor there.
    expect(run.evals.at(-1)).toMatchObject({ step: end.step, epoch: end.epoch })
    expect(run.steps.at(-1)!.learningRate).toBeCloseTo(1e-3 * FINAL_LR_FRACTION, 6)
    expect(Math.max(...run.steps.map((s) => s.learningRate))).toBeCloseTo(1e-3, 9)
  })

  it('counts evaluations against the budget: slower evaluations, fewer steps', async () => {
    const fast = simulate(budget(2), { stepMs: () => 500, evalMs: 100 })
    const slow = simulate(budget(2), { stepMs: () => 500, evalMs: 5000 })
    const [a, b] = [await fast.end, await slow.end]
    for (const run of [fast, slow]) expect(run.clock()).toBeLessThanOrEqual(2 * MINUTE)
    // Each evaluation of the slow run costs ~10 more steps; it evaluates once every 25 steps.
    expect(b.step).toBeLessThan(a.step - 40)
    expect(slow.clock()).toBeGreaterThan(2 * MINUTE - 6000)
  })

  it('re-plans when the pace drifts, without the learning rate jumping, and still ends on time', async () => {
    // The machine gets busy at step 80: steps take twice as long.
    const run = simulate(budget(2), { stepMs: (n) => (n < 80 ? 400 : 800), evalMs: 1000 })
    const end = await run.end
    expect(run.clock()).toBeLessThanOrEqual(2 * MINUTE)
    expect(run.clock()).toBeGreaterThan(2 * MINUTE - 2000)
    expect(run.plans.length).toBeGreaterThan(1)
    expect(run.plans.at(-1)!.total).toBeLessThan(run.plans[0].total)
    const lr = run.steps.map((s) => s.learningRate)
    const peak = lr.indexOf(Math.max(...lr))
    // After the warm-up the rate only falls, and never by much more than its steepest planned step.
    for (let i = peak + 1; i < lr.length; i++) {
      expect(lr[i]).toBeLessThanOrEqual(lr[i - 1])
      expect(lr[i - 1] - lr[i]).toBeLessThan(0.05 * 1e-3)
    }
    expect(lr.at(-1)).toBeCloseTo(1e-3 * FINAL_LR_FRACTION, 5)
    expect(end.step).toBe(run.steps.at(-1)!.step)
  })

  it('stops on time even when the pace collapses faster than a re-plan can follow', async () => {
    const run = simulate(budget(1), { stepMs: (n) => (n < 60 ? 300 : 6000), evalMs: 500 })
    const end = await run.end
    expect(run.clock()).toBeLessThanOrEqual(MINUTE + 6000)
    expect(run.evals.at(-1)!.step).toBe(end.step)
    // The run records the steps it trained as its plan.
    expect(run.plans.at(-1)!.total).toBe(end.step)
  })

  it('a resumed run goes on with its schedule and the time it has left', async () => {
    const full = simulate(budget(2), { stepMs: () => 500, evalMs: 1000 })
    await full.end
    const checkpoint = full.evals[2] // after epoch 3
    const left = 2 * MINUTE - checkpoint.at
    const resumed = simulate(budget(left / MINUTE, { startEpoch: 4, schedule: checkpoint.schedule }), { stepMs: () => 500, evalMs: 1000 })
    const end = await resumed.end
    expect(resumed.clock()).toBeLessThanOrEqual(left)
    expect(resumed.steps[0].step).toBe(checkpoint.step + 1)
    // The first resumed steps train at the rates the uninterrupted run had there.
    expect(resumed.steps[0].learningRate).toBeCloseTo(full.steps[checkpoint.step].learningRate, 12)
    expect(Math.abs(end.step - full.steps.at(-1)!.step)).toBeLessThanOrEqual(4)
  })

  it('times one val batch before its first plan, so a long last evaluation is planned in from the start', async () => {
    // One epoch is longer than the budget: the only evaluation is the last, 80 batches of 250 ms (a batch timed alone
    // takes 220 ms: a whole evaluation costs a little more a batch).
    const plan = budget(2, { batchesPerEpoch: 10_000, evalBatches: 80 })
    const run = simulate(plan, { stepMs: () => 500, evalMs: 1000 + 80 * 250, probeMs: 220 })
    const end = await run.end
    expect(run.probes()).toBe(1)
    expect(run.plans[0].total).toBe(end.step)
    expect(run.clock()).toBeLessThanOrEqual(2 * MINUTE)
    expect(run.clock()).toBeGreaterThan(2 * MINUTE - 4000)
  })

  it('with its whole time spent before a step, still evaluates once so a checkpoint exists', async () => {
    const run = simulate(budget(0.1, { deadline: 500 }), { stepMs: () => 2000, evalMs: 100 })
    const end = await run.end
    expect(end).toMatchObject({ state: 'done' })
    expect(run.evals.length).toBe(1)
  })
})

describe('the ETA', () => {
  it('of an epoch run counts the steps and evaluations left at the measured pace', async () => {
    const plan: LoopPlan = { epochs: 4, startEpoch: 1, batchesPerEpoch: 10, evalEvery: 1, learningRate: 1e-3, evalBatches: 2 }
    const run = simulate(plan, { stepMs: (n) => (n === 1 ? 3000 : 1000), evalMs: 4000 })
    await run.end
    expect(run.etas[0]).toBeNull() // only the warm-up step so far
    // After step 15 (first evaluation timed): 25 steps and 3 evaluations left.
    expect(run.etas[14]).toBeCloseTo(25 * 1000 + 3 * 4000, -1)
    expect(run.etas.at(-1)).toBeCloseTo(4000, -1) // the last evaluation
  })

  it('of a budget run is the deadline before its first plan', () => {
    const pacer = new Pacer({ batchesPerEpoch: 10, evalEvery: 1, evalBatches: 2, total: null, deadline: 60_000 })
    expect(pacer.etaMs(0, 15_000)).toBe(45_000)
  })

  it('counts the evaluations due: every evalEvery epochs, and the last step’s once', () => {
    const pacer = new Pacer({ batchesPerEpoch: 10, evalEvery: 2, evalBatches: 2, total: 100 })
    expect(pacer.evaluationsAfter(0, 100)).toBe(5) // epochs 2, 4, 6, 8 and the end (epoch 10)
    expect(pacer.evaluationsAfter(0, 95)).toBe(5) // 2, 4, 6, 8, then step 95
    expect(pacer.evaluationsAfter(40, 60)).toBe(1) // epoch 5 does not evaluate; 6 (step 60) is the end, counted once
    expect(pacer.evaluationsAfter(30, 60)).toBe(2) // 4, and the end
    expect(pacer.evaluationsAfter(41, 42)).toBe(1)
  })
})
