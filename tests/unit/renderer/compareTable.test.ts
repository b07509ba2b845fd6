import { describe, expect, it } from 'vitest'
import type { CompareRow } from '../../../src/shared/api'
import {
  budgetText,
  nextSort,
  notMeasured,
  placeable,
  runtimeText,
  sortRows,
  wantsLogScale,
} from '../../../src/renderer/src/pages/Compare/compareTable'

function row(runId: number, fields: Partial<CompareRow> = {}): CompareRow {
  return {
    runId,
    name: `run ${runId}`,
    task: 'detect',
    state: 'done',
    preset: 'mobilenet-ssd-320x240',
    backbone: 'mobilenet-v1 α=0.5',
    input: '320×240',
    classes: ['face'],
    trainImages: 100,
    valImages: 20,
    valHeldOut: false,
    budget: { unit: 'epochs', value: 10 },
    step: 100,
    steps: 100,
    bestEpoch: 10,
    ap50: 0.5,
    ap: 0.25,
    recall: 0.6,
    accuracy: null,
    params: 1000,
    macs: 10_000,
    parent: null,
    checkpoint: null,
    createdAt: runId,
    latency: null,
    onFront: false,
    ...fields,
  }
}
const latency = (p50Ms: number) => ({
  deploymentId: 1,
  p50Ms,
  p90Ms: null,
  runtime: 'onnx' as const,
  precision: 'fp32' as const,
  threads: 2,
  epoch: 1,
  measuredAt: 0,
  alternatives: [],
})

describe('the Compare table', () => {
  it('sorts by a column, the best first for scores and the fastest first for latency, missing figures last both ways', () => {
    const rows = [row(1, { ap50: 0.4, latency: latency(20) }), row(2, { ap50: 0.9 }), row(3, { ap50: null, latency: latency(5) })]
    expect(sortRows(rows, { key: 'ap50', direction: 'desc' }).map((r) => r.runId)).toEqual([2, 1, 3])
    expect(sortRows(rows, { key: 'ap50', direction: 'asc' }).map((r) => r.runId)).toEqual([1, 2, 3])
    expect(sortRows(rows, { key: 'p50', direction: 'asc' }).map((r) => r.runId)).toEqual([3, 1, 2])
    expect(sortRows(rows, { key: 'p50', direction: 'desc' }).map((r) => r.runId)).toEqual([1, 3, 2])
  })

  it('sorts a classifier by its accuracy in the AP50 column, and equal rows newest first', () => {
    const rows = [row(1, { ap50: 0.7 }), row(2, { task: 'classify', ap50: null, accuracy: 0.8 }), row(3, { ap50: 0.7 })]
    expect(sortRows(rows, { key: 'ap50', direction: 'desc' }).map((r) => r.runId)).toEqual([2, 3, 1])
  })

  it('turns a column around on a second click and starts another at its natural direction', () => {
    expect(nextSort({ key: 'ap50', direction: 'desc' }, 'ap50')).toEqual({ key: 'ap50', direction: 'asc' })
    expect(nextSort({ key: 'ap50', direction: 'desc' }, 'p50')).toEqual({ key: 'p50', direction: 'asc' })
    expect(nextSort({ key: 'p50', direction: 'asc' }, 'name')).toEqual({ key: 'name', direction: 'asc' })
  })

  it('charts only detector runs with an AP50 and a latency', () => {
    expect(placeable(row(1, { latency: latency(3) }))).toBe(true)
    expect(placeable(row(1))).toBe(false)
    expect(placeable(row(1, { task: 'classify', ap50: null, accuracy: 0.9, latency: latency(3) }))).toBe(false)
  })

  it('goes logarithmic when latencies spread over more than 8×', () => {
    expect(wantsLogScale([4, 30])).toBe(false)
    expect(wantsLogScale([4, 400])).toBe(true)
    expect(wantsLogScale([400])).toBe(false)
  })

  it('says what was asked, what ran it, and where a run was not measured', () => {
    expect(budgetText({ unit: 'epochs', value: 1 })).toBe('1 epoch')
    expect(budgetText({ unit: 'minutes', value: 30 })).toBe('30 min')
    expect(runtimeText({ runtime: 'onnx', precision: 'int8' })).toBe('ONNX Runtime int8')
    expect(runtimeText({ runtime: 'tfjs', precision: 'fp32' })).toBe('TF.js fp32')
    expect(notMeasured({ name: 'this-computer', kind: 'local' })).toBe('not measured on This computer')
    expect(notMeasured({ name: 'pi', kind: 'ssh' })).toBe('not measured on pi')
  })
})
