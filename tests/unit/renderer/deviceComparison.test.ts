import { describe, expect, it } from 'vitest'
import type { Deployment } from '../../../src/shared/api'
import { compareDeployments, deploymentModelLabel, formatDifference, groupHistory } from '../../../src/renderer/src/pages/Devices/comparison'

let nextId = 1
function deployment(change: Partial<Deployment> & { p50?: number | null; p90?: number }): Deployment {
  const { p50 = 10, p90 = 12, ...rest } = change
  return {
    id: nextId++,
    deviceId: 1,
    device: 'this-computer',
    model: 'mobilenet-ssd-320x240',
    modelSha256: null,
    randomWeights: false,
    iterations: 10,
    state: 'done',
    message: null,
    uploadedBytes: 0,
    info: null,
    requested: { runtime: 'auto', threads: null, precision: 'fp32' },
    runtime: 'onnx',
    threads: 4,
    precision: 'fp32',
    fallback: null,
    summary: p50 === null ? null : { samples: 50, p50Ms: p50, p90Ms: p90 },
    samples: p50 === null ? 0 : 50,
    startedAt: 0,
    finishedAt: 1,
    run: null,
    comparedWith: null,
    ...rest,
  }
}

describe('a comparison on the Devices page', () => {
  it('names the sides by what differs and says which is faster, by how much, in ms and %', () => {
    const fp32 = deployment({ p50: 12.9, p90: 14 })
    const int8 = deployment({ precision: 'int8', requested: { runtime: 'auto', threads: null, precision: 'int8' }, p50: 8, p90: 9 })
    const c = compareDeployments(fp32, int8)
    expect(c.kind).toBe('precisions')
    expect([c.first.label, c.second.label]).toEqual(['fp32', 'int8'])
    expect(c.faster).toBe('second')
    expect(c.verdict).toBe('Int8 is 1.6× faster: 8.0 ms vs 12.9 ms p50, −38 %')
    expect(c.differenceMs).toBeCloseTo(-4.9)
    expect(formatDifference(c)).toBe('−4.9 ms (−38 %)')
    expect(c.caveat).toBeNull()
  })

  it('warns when too few inferences were timed for the difference to hold', () => {
    const c = compareDeployments(deployment({ p50: 20, samples: 3 }), deployment({ randomWeights: true, p50: 10, samples: 3 }))
    expect(c.verdict).toBe('Random weights is 2.0× faster: 10.0 ms vs 20.0 ms p50, −50 %')
    expect(c.caveat).toBe('Only 3 and 3 inferences timed: noise can outweigh the difference; compare with 40 or more for a firm number.')
  })

  it('weights: the trained run against random weights; runtimes: ONNX Runtime against TF.js wasm', () => {
    const run = { id: 3, name: 'faces-1', epoch: 4 }
    const trained = deployment({ run, p50: 5 })
    const random = deployment({ run, randomWeights: true, p50: 5.1 })
    const weights = compareDeployments(trained, random)
    expect([weights.kind, weights.first.label, weights.second.label]).toEqual(['weights', 'trained weights', 'random weights'])
    // Within a few per cent: the same speed, as it should be (weights do not change the work).
    expect(weights.faster).toBeNull()
    expect(weights.verdict).toBe('Trained weights and random weights run at the same speed: 5.0 ms vs 5.1 ms p50')

    const tfjs = deployment({ runtime: 'tfjs', threads: 1, requested: { runtime: 'tfjs', threads: null, precision: 'fp32' }, p50: 40 })
    const runtimes = compareDeployments(deployment({ p50: 10 }), tfjs)
    expect(runtimes.verdict).toBe('ONNX Runtime is 4.0× faster: 10.0 ms vs 40.0 ms p50, −75 %')
    expect(formatDifference(runtimes)).toBe('+30.0 ms (+300 %)')
  })

  it('says there is nothing to compare when a side has no samples', () => {
    const c = compareDeployments(deployment({ p50: 10 }), deployment({ randomWeights: true, p50: null, state: 'failed' }))
    expect(c.differenceMs).toBeNull()
    expect(c.verdict).toMatch(/^No difference to show: random weights has no samples/)
    expect(formatDifference(c)).toBe('–')
  })

  it('labels a run by its name and epoch, anything else by what was picked', () => {
    expect(deploymentModelLabel(deployment({ model: '/p/runs/3/epoch-4', run: { id: 3, name: 'faces-1', epoch: 4 } }))).toBe('faces-1 (epoch 4)')
    expect(deploymentModelLabel(deployment({ model: 'mobilenet-ssd-320x240' }))).toBe('mobilenet-ssd-320x240')
  })

  it('groups history: a comparison’s two rows together with their result, the others alone', () => {
    const lone = deployment({})
    const first = deployment({ p50: 10 })
    const second = deployment({ randomWeights: true, comparedWith: first.id, p50: 20 })
    const running = deployment({ randomWeights: true, comparedWith: lone.id, state: 'running', p50: null })
    const groups = groupHistory([running, second, first, lone])
    expect(groups.map((g) => g.rows.map((d) => d.id))).toEqual([
      [running.id, lone.id],
      [second.id, first.id],
    ])
    // A comparison still running has no result yet; a finished one has.
    expect(groups[0].comparison).toBeNull()
    expect(groups[1].comparison!.verdict).toBe("The preset's weights is 2.0× faster: 10.0 ms vs 20.0 ms p50, −50 %")
    // The first half beyond the history's limit: the second stands alone.
    expect(groupHistory([second]).map((g) => [g.rows.length, g.comparison])).toEqual([[1, null]])
  })
})
