import { describe, expect, it } from 'vitest'
import type { Run } from '../../../src/shared/api'
import { ap50Text, canResume, epochText, upsertRun } from '../../../src/renderer/src/pages/Train/runList'

const run = (id: number, createdAt: number, over: Partial<Run> = {}): Run => ({
  id,
  name: `run ${id}`,
  preset: 'mobilenet-ssd-320x240',
  settings: { preset: 'mobilenet-ssd-320x240', epochs: 10, batchSize: 16, learningRate: 1e-3, labels: 'all', augment: true, evalEvery: 1 },
  state: 'running',
  error: null,
  backend: 'wasm',
  classes: ['face'],
  trainImages: 100,
  valImages: 20,
  valHeldOut: false,
  warnings: [],
  step: 0,
  steps: 70,
  epoch: 0,
  createdAt,
  endedAt: null,
  bestAp50: null,
  bestCheckpoint: null,
  parent: null,
  task: 'detect',
  bestAccuracy: null,
  threshold: null,
  ...over,
})

describe('the runs list, kept current by run.changed', () => {
  it('puts a new run first and replaces a run it holds in place', () => {
    const list = [run(2, 200), run(1, 100)]
    expect(upsertRun(list, run(3, 300)).map((r) => r.id)).toEqual([3, 2, 1])
    const updated = upsertRun(list, run(1, 100, { state: 'done', epoch: 10 }))
    expect(updated.map((r) => [r.id, r.state])).toEqual([
      [2, 'running'],
      [1, 'done'],
    ])
  })

  it('keeps newest first whatever order the events come in', () => {
    let list: Run[] = []
    for (const r of [run(1, 100), run(3, 300), run(2, 200)]) list = upsertRun(list, r)
    expect(list.map((r) => r.id)).toEqual([3, 2, 1])
  })
})

describe('a run as its row sums it up', () => {
  it('says how far it is, its best AP50, and whether it can resume', () => {
    expect(epochText(run(1, 1, { epoch: 3 }))).toBe('epoch 3 / 10')
    const budget = run(1, 1, { epoch: 3 })
    expect(epochText({ ...budget, settings: { ...budget.settings, epochs: undefined, minutes: 30 } })).toBe('epoch 3 · 30 min')
    expect(ap50Text(null)).toBe('–')
    expect(ap50Text(0.81234)).toBe('0.812')
    expect(canResume(run(1, 1, { state: 'failed' }))).toBe(true)
    expect(canResume(run(1, 1, { state: 'cancelled' }))).toBe(true)
    expect(canResume(run(1, 1, { state: 'done' }))).toBe(false)
    expect(canResume(run(1, 1))).toBe(false)
  })
})
