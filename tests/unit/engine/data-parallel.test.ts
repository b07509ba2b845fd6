// The arithmetic of data-parallel steps, without workers: how a batch is split over replicas and how their gradients
// are combined (weighted by shard size, so uneven shards still give the whole batch's mean gradient).
import { describe, expect, it } from 'vitest'
import { averageInto, splitBatch } from '../../../src/main/engine/data-parallel.js'

describe('splitBatch', () => {
  it('splits every tensor along its first dimension into nearly equal shards with their own buffers', () => {
    const x = { data: Float32Array.from({ length: 5 * 2 }, (_, i) => i), shape: [5, 2] }
    const y = { data: Int32Array.from([0, 1, 2, 3, 4]), shape: [5] }
    const { shards, sizes } = splitBatch({ x, y }, 2)
    expect(sizes).toEqual([3, 2])
    expect(shards[0].x).toEqual({ data: Float32Array.from([0, 1, 2, 3, 4, 5]), shape: [3, 2] })
    expect(shards[1].x).toEqual({ data: Float32Array.from([6, 7, 8, 9]), shape: [2, 2] })
    expect(shards[1].y).toEqual({ data: Int32Array.from([3, 4]), shape: [2] })
    // Shards are transferred to the workers, which must not take the caller's batch with them.
    for (const s of shards) expect(s.x.data.buffer).not.toBe(x.data.buffer)
  })

  it('rejects batches it cannot split', () => {
    const t = (n: number) => ({ data: new Float32Array(n), shape: [n] })
    expect(() => splitBatch({ x: t(1) }, 2)).toThrow(/batch of 1 cannot be split over 2/)
    expect(() => splitBatch({ x: t(4), y: t(3) }, 2)).toThrow(/y has 3 examples, x has 4/)
    expect(() => splitBatch({ x: { data: new Float32Array(3), shape: [2, 2] } }, 2)).toThrow(/does not match its shape/)
  })

  it("gives the last shards no examples when allowed (an epoch's short last batch over more replicas)", () => {
    const x = { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }
    const { shards, sizes } = splitBatch({ x }, 3, { allowEmpty: true })
    expect(sizes).toEqual([1, 1, 0])
    expect(shards[2].x).toEqual({ data: new Float32Array(0), shape: [0, 2] })
  })
})

describe('averageInto', () => {
  it("leaves the weighted average in every replica's buffer", () => {
    // Shards of 3 and 1 examples: the whole batch's mean gradient is (3·a + 1·b) / 4.
    const a = Float32Array.from([1, 2, -4])
    const b = Float32Array.from([5, 2, 4])
    averageInto([a, b], [0.75, 0.25])
    expect(a).toEqual(Float32Array.from([2, 2, -2]))
    expect(b).toEqual(a)
    expect(b.buffer).not.toBe(a.buffer)
  })

  it('rejects gradients of different sizes', () => {
    expect(() => averageInto([new Float32Array(2), new Float32Array(3)], [0.5, 0.5])).toThrow(/different sizes/)
  })
})
