import { describe, expect, it } from 'vitest'
import { QueuePath } from '../../../src/renderer/src/pages/Review/queuePath'

describe('the way back to accepted photos', () => {
  it('walks a chain of accepted photos back and forth, and leaves the queue to answer elsewhere', () => {
    const path = new QueuePath()
    // Photo 1 accepted → 2, 2 accepted → 3: neither 1 nor 2 is in "unreviewed" any more.
    path.left(1, 2)
    path.left(2, 3)
    expect(path.step(3, 'previous')).toBe(2)
    expect(path.step(2, 'previous')).toBe(1)
    expect(path.step(1, 'next')).toBe(2)
    expect(path.step(2, 'next')).toBe(3)
    // Beyond the path: the queue's own neighbours.
    expect(path.step(1, 'previous')).toBeUndefined()
    expect(path.step(3, 'next')).toBeUndefined()
  })

  it('re-accepting a revisited photo moves its link to where the editor went this time', () => {
    const path = new QueuePath()
    path.left(1, 2)
    path.left(1, 5)
    expect(path.step(1, 'next')).toBe(5)
    expect(path.step(5, 'previous')).toBe(1)
  })
})
