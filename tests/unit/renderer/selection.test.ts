import { describe, expect, it } from 'vitest'
import {
  FETCH_LIMIT,
  idsInRange,
  NO_SELECTION,
  pickMode,
  rangeOf,
  selectOne,
  toggleOne,
  withRange,
} from '../../../src/renderer/src/pages/Library/selection.js'

const keys = (k: { shift?: boolean; ctrl?: boolean; meta?: boolean } = {}) => ({
  shiftKey: k.shift ?? false,
  ctrlKey: k.ctrl ?? false,
  metaKey: k.meta ?? false,
})

/** A list where the photo at position i has id 1000 + i, `loaded` positions known, the rest fetched and recorded. */
function list(total: number, loaded: (index: number) => boolean) {
  const fetches: [number, number][] = []
  const known = (index: number) => (index < total && loaded(index) ? 1000 + index : undefined)
  const fetchIds = async (offset: number, limit: number) => {
    fetches.push([offset, limit])
    return Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => 1000 + offset + i)
  }
  return { fetches, known, fetchIds }
}

describe('the Library selection', () => {
  it('reads the click from its modifier keys: Ctrl on Linux and Windows, Cmd on a Mac', () => {
    expect(pickMode(keys())).toBe('one')
    expect(pickMode(keys({ ctrl: true }))).toBe('toggle')
    expect(pickMode(keys({ meta: true }))).toBe('toggle')
    expect(pickMode(keys({ shift: true }))).toBe('range')
    expect(pickMode(keys({ shift: true, ctrl: true }))).toBe('add-range')
  })

  it('selects one photo on a click, toggles with Ctrl, and each sets the anchor', () => {
    let s = selectOne(4, 104)
    expect([...s.ids]).toEqual([104])
    expect(s.anchor).toBe(4)
    s = toggleOne(s, 7, 107)
    expect([...s.ids].sort()).toEqual([104, 107])
    expect(s.anchor).toBe(7)
    s = toggleOne(s, 4, 104)
    expect([...s.ids]).toEqual([107])
    // The old selection is left as it was: React sees a new one.
    const before = selectOne(1, 101)
    toggleOne(before, 2, 102)
    expect([...before.ids]).toEqual([101])
  })

  it('runs a Shift+click from the anchor either way round; it replaces the selection, or adds with Ctrl, and keeps the anchor', () => {
    const s = toggleOne(selectOne(1, 101), 5, 105)
    expect(rangeOf(s, 8)).toEqual({ first: 5, last: 8 })
    expect(rangeOf(s, 2)).toEqual({ first: 2, last: 5 })
    expect(rangeOf(NO_SELECTION, 3)).toEqual({ first: 0, last: 3 })

    const replaced = withRange(s, [105, 106, 107], false)
    expect([...replaced.ids].sort()).toEqual([105, 106, 107])
    expect(replaced.anchor).toBe(5)
    const added = withRange(s, [105, 106], true)
    expect([...added.ids].sort()).toEqual([101, 105, 106])
    expect(withRange(NO_SELECTION, [100, 101], false).anchor).toBe(0)
  })

  it('takes the ids of a run from the loaded pages without asking the studio', async () => {
    const { fetches, known, fetchIds } = list(500, () => true)
    expect(await idsInRange(known, fetchIds, 3, 6)).toEqual([1003, 1004, 1005, 1006])
    expect(fetches).toEqual([])
  })

  it('fetches the positions of a run that were never loaded, in requests the page API allows, in order', async () => {
    // Loaded: the first 200 and positions 2600–2799; the run 100…3000 spans unloaded pages on both sides.
    const { fetches, known, fetchIds } = list(5000, (i) => i < 200 || (i >= 2600 && i < 2800))
    const ids = await idsInRange(known, fetchIds, 100, 3000)
    expect(ids).toEqual(Array.from({ length: 2901 }, (_, i) => 1100 + i))
    expect(fetches).toEqual([
      [200, FETCH_LIMIT],
      [1200, FETCH_LIMIT],
      [2200, 400],
      [2800, 201],
    ])
  })

  it('selects all of a 100,000-photo list with a hundred requests, and stops where a shrunk list ends', async () => {
    const big = list(100_000, () => false)
    const all = await idsInRange(big.known, big.fetchIds, 0, 99_999)
    expect(all.length).toBe(100_000)
    expect(new Set(all).size).toBe(100_000)
    expect(big.fetches.length).toBe(100)

    const shrunk = list(1500, () => false)
    expect((await idsInRange(shrunk.known, shrunk.fetchIds, 0, 2999)).length).toBe(1500)
    expect(shrunk.fetches).toEqual([
      [0, 1000],
      [1000, 1000],
    ])
  })
})
