// The Library's selection as React state, with the fetching a Shift+click or Ctrl/Cmd+A may need (selection.ts).
import { useCallback, useRef, useState } from 'react'
import { useStudio } from '../../api/context'
import type { ImagePages, ImageQuery } from './imagePages'
import { idsInRange, NO_SELECTION, type PickMode, rangeOf, type Selection, selectOne, toggleOne, withRange } from './selection'

export interface LibrarySelection {
  selection: Selection
  /** A run or "all" is being fetched: the count shown is not final yet. */
  selecting: boolean
  pick(index: number, id: number, mode: PickMode): void
  selectAll(total: number): void
  clear(): void
}

export function useSelection(pages: ImagePages, query: ImageQuery): LibrarySelection {
  const studio = useStudio()
  const [selection, setSelection] = useState<Selection>(NO_SELECTION)
  const [selecting, setSelecting] = useState(false)
  // The latest selection for the async paths, and a counter so that a slow fetch never overwrites a newer click.
  const current = useRef(selection)
  current.current = selection
  const generation = useRef(0)

  const set = useCallback((next: Selection) => {
    generation.current++
    setSelecting(false)
    setSelection(next)
  }, [])

  const selectRun = useCallback(
    (first: number, last: number, apply: (ids: number[]) => Selection) => {
      const mine = ++generation.current
      setSelecting(true)
      const known = (index: number) => pages.item(query, index)?.id
      const fetchIds = async (offset: number, limit: number) =>
        (await studio.request('images.page', { ...query, offset, limit })).items.map((image) => image.id)
      idsInRange(known, fetchIds, first, last).then(
        (ids) => {
          if (generation.current !== mine) return
          setSelecting(false)
          setSelection(apply(ids))
        },
        (error: unknown) => {
          if (generation.current !== mine) return
          setSelecting(false)
          console.warn('could not select the photos', error)
        },
      )
    },
    [pages, query, studio],
  )

  const pick = useCallback(
    (index: number, id: number, mode: PickMode) => {
      const before = current.current
      if (mode === 'one') set(selectOne(index, id))
      else if (mode === 'toggle') set(toggleOne(before, index, id))
      else {
        const { first, last } = rangeOf(before, index)
        selectRun(first, last, (ids) => withRange(current.current, ids, mode === 'add-range'))
      }
    },
    [set, selectRun],
  )

  const selectAll = useCallback(
    (total: number) => {
      if (total > 0) selectRun(0, total - 1, (ids) => ({ ids: new Set(ids), anchor: current.current.anchor }))
    },
    [selectRun],
  )

  const clear = useCallback(() => set(NO_SELECTION), [set])

  return { selection, selecting, pick, selectAll, clear }
}
