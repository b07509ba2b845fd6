// The Library's selection, as a file manager's: a click selects one photo, Ctrl/Cmd+click toggles one, Shift+click
// selects the run from the anchor (the last photo clicked without Shift) in the grid's order, Ctrl/Cmd+A all of them.
// Kept as photo ids, not positions: kindling moves photos between the review-state lists and an import shifts the
// name order, and a selection must still name the photos the user picked. Pure functions; useSelection.ts holds it.

export interface Selection {
  readonly ids: ReadonlySet<number>
  /** Where a Shift+click run starts: a position in the grid's current order, or null before any click. */
  readonly anchor: number | null
}

export const NO_SELECTION: Selection = { ids: new Set(), anchor: null }

/** How a click asks to change the selection: from the modifier keys held. */
export type PickMode = 'one' | 'toggle' | 'range' | 'add-range'

export function pickMode(keys: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): PickMode {
  const toggle = keys.ctrlKey || keys.metaKey
  if (keys.shiftKey) return toggle ? 'add-range' : 'range'
  return toggle ? 'toggle' : 'one'
}

export const selectOne = (index: number, id: number): Selection => ({ ids: new Set([id]), anchor: index })

export function toggleOne(selection: Selection, index: number, id: number): Selection {
  const ids = new Set(selection.ids)
  if (!ids.delete(id)) ids.add(id)
  return { ids, anchor: index }
}

/** The positions a Shift+click at `index` covers: from the anchor (or the first photo) to it, either way round. */
export function rangeOf(selection: Selection, index: number): { first: number; last: number } {
  const anchor = selection.anchor ?? 0
  return { first: Math.min(anchor, index), last: Math.max(anchor, index) }
}

/**
 * A Shift+click's run replaces the selection; with Ctrl/Cmd too it is added. The anchor stays, as it does in lists, so
 * a second Shift+click redraws the run from the same photo (with none yet, the run started at the first photo).
 */
export function withRange(selection: Selection, ids: readonly number[], add: boolean): Selection {
  const next = new Set(add ? selection.ids : [])
  for (const id of ids) next.add(id)
  return { ids: next, anchor: selection.anchor ?? 0 }
}

/** Ids of the images.page API allows at once. */
export const FETCH_LIMIT = 1000

/**
 * The ids at positions `first`…`last` of the grid's list: read from the pages already loaded where they are, and
 * fetched (`fetchIds(offset, limit)`, at most FETCH_LIMIT at a time) where they are not — a run may reach photos that
 * never scrolled into view. A list that shrank meanwhile just gives fewer ids.
 */
export async function idsInRange(
  known: (index: number) => number | undefined,
  fetchIds: (offset: number, limit: number) => Promise<number[]>,
  first: number,
  last: number,
): Promise<number[]> {
  const ids: number[] = []
  let index = first
  while (index <= last) {
    const id = known(index)
    if (id !== undefined) {
      ids.push(id)
      index++
      continue
    }
    // A run of missing positions, fetched in one request up to the API's limit.
    let end = index
    while (end < last && end - index + 1 < FETCH_LIMIT && known(end + 1) === undefined) end++
    const fetched = await fetchIds(index, end - index + 1)
    ids.push(...fetched)
    if (fetched.length < end - index + 1) break // the list ends sooner than it did: nothing further to find
    index = end + 1
  }
  return ids
}
