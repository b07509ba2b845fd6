import { describe, expect, it } from 'vitest'
import type { Counts } from '../../../src/shared/api.js'
import { type ImageQuery, ImagePages, type LibraryImage, staleFrom } from '../../../src/renderer/src/pages/Library/imagePages.js'

const summary = (id: number): LibraryImage => ({
  id,
  path: `/p/${id}.jpg`,
  name: `${id}.jpg`,
  sha256: String(id),
  width: 1,
  height: 1,
  split: 'train',
  state: 'new',
  boxes: 0,
  overlay: [],
})

/** A fetcher over a list of `total` images that records each request and resolves when told to. */
function fakeStudio(total: number) {
  const requests: { offset: number; limit: number; resolve: () => void }[] = []
  const fetchPage = (_q: ImageQuery, offset: number, limit: number) =>
    new Promise<LibraryImage[]>((resolve) => {
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => summary(offset + i + 1))
      requests.push({ offset, limit, resolve: () => resolve(items) })
    })
  return { requests, fetchPage }
}
const flush = () => new Promise((r) => setTimeout(r, 0))

describe('the Library page cache', () => {
  const query: ImageQuery = { sort: 'name' }

  it('fetches only the pages in view, once, even when asked again while they load', async () => {
    const studio = fakeStudio(100_000)
    const pages = new ImagePages(studio.fetchPage)
    pages.ensure(query, 50_010, 50_070)
    pages.ensure(query, 50_010, 50_070)
    expect(studio.requests.map((r) => r.offset)).toEqual([50_000])
    studio.requests[0].resolve()
    await flush()
    expect(pages.item(query, 50_010)?.id).toBe(50_011)
    pages.ensure(query, 50_000, 50_199)
    expect(studio.requests).toHaveLength(1)
  })

  it('keeps showing a stale page while it refetches it', async () => {
    const studio = fakeStudio(1000)
    const pages = new ImagePages(studio.fetchPage)
    pages.ensure(query, 0, 10)
    studio.requests[0].resolve()
    await flush()
    const version = pages.getVersion()
    pages.markStale(() => 0)
    expect(pages.getVersion()).toBeGreaterThan(version)
    expect(pages.item(query, 5)?.id).toBe(6)
    pages.ensure(query, 0, 10)
    expect(studio.requests).toHaveLength(2)
  })
})

describe('which lists an import makes stale', () => {
  const counts = (n: number, kindled = 0): Counts => ({
    images: n + kindled,
    boxes: 0,
    labelled: 0,
    reviewed: 0,
    kindled,
    classes: 1,
    byState: { new: n, kindled, reviewed: 0 },
  })

  it('leaves the kindled list alone when only new photos arrive', () => {
    expect(staleFrom({ state: 'kindled', sort: 'name' }, counts(10, 5), counts(20, 5))).toBeNull()
  })
  it('refreshes only the tail of a list sorted oldest first', () => {
    expect(staleFrom({ sort: 'oldest' }, counts(10), counts(20))).toBe(10)
  })
  it('refreshes all of a list sorted by name, where new photos can land anywhere', () => {
    expect(staleFrom({ sort: 'name' }, counts(10), counts(20))).toBe(0)
  })
  it('refreshes everything when something other than an import changed the counts', () => {
    expect(staleFrom({ state: 'new', sort: 'oldest' }, counts(10, 0), counts(8, 2))).toBe(0)
  })
  it('refreshes all of a list filtered by a tag, which the counts say nothing of', () => {
    expect(staleFrom({ state: 'kindled', tag: { name: 'smiling', value: true }, sort: 'oldest' }, counts(10, 5), counts(10, 5))).toBe(0)
  })
})
