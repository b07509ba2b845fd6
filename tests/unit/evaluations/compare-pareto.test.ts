import { describe, expect, it } from 'vitest'
import { dominates, paretoFront, type FrontCandidate } from '../../../src/main/evaluations/compare-pareto.js'

const run = (id: number, accuracy: number | null, latencyMs: number | null): FrontCandidate => ({ id, accuracy, latencyMs })

describe('the accuracy–latency front', () => {
  it('keeps the runs no other run beats on both, fastest first', () => {
    // 1: fast and weak; 2: slower, better; 3: slowest, best; 4: slower than 2 and worse (beaten by 2).
    const runs = [run(3, 0.9, 30), run(4, 0.7, 25), run(1, 0.5, 5), run(2, 0.8, 12)]
    expect(paretoFront(runs)).toEqual([1, 2, 3])
  })

  it('drops a run that is only as accurate but slower, or only as fast but less accurate', () => {
    expect(paretoFront([run(1, 0.8, 10), run(2, 0.8, 11)])).toEqual([1])
    expect(paretoFront([run(1, 0.8, 10), run(2, 0.79, 10)])).toEqual([1])
  })

  it('keeps both of two runs with the very same numbers: neither beats the other', () => {
    expect(paretoFront([run(2, 0.8, 10), run(1, 0.8, 10), run(3, 0.6, 20)])).toEqual([1, 2])
  })

  it('leaves out runs without a latency or a score, and never lets them beat a measured run', () => {
    const runs = [run(1, 0.6, 20), run(2, 0.99, null), run(3, null, 1), run(4, 0.5, 30)]
    expect(paretoFront(runs)).toEqual([1])
    expect(paretoFront([run(1, null, null)])).toEqual([])
    expect(paretoFront([])).toEqual([])
  })

  it('puts a lone measured run on the front', () => {
    expect(paretoFront([run(7, 0.1, 400)])).toEqual([7])
  })

  it('orders runs of the same latency on the front by accuracy, which only ties allow', () => {
    expect(paretoFront([run(1, 0.5, 5), run(2, 0.5, 5), run(3, 0.9, 50)])).toEqual([1, 2, 3])
  })

  it('says a run beats another only when better in one and no worse in the other', () => {
    expect(dominates({ id: 1, accuracy: 0.9, latencyMs: 10 }, { id: 2, accuracy: 0.8, latencyMs: 10 })).toBe(true)
    expect(dominates({ id: 1, accuracy: 0.9, latencyMs: 10 }, { id: 2, accuracy: 0.9, latencyMs: 10 })).toBe(false)
    expect(dominates({ id: 1, accuracy: 0.9, latencyMs: 11 }, { id: 2, accuracy: 0.8, latencyMs: 10 })).toBe(false)
  })
})
