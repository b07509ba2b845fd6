// Where the editor is in the review queue: the photo shown, its neighbours in queue order, and its place ("12 of 840").
// Neighbours come from `review.step` (an index seek; docs/review-bench.md) as soon as a photo is shown, so
// next/previous never wait for the studio; the place is counted after that and may arrive a moment later. Steps go
// on from the photo's place in the sort, so a photo that has just left the queue (accepted out of "unreviewed") still
// knows which photo comes after it. A photo accepted out of the queue stays one step away: Previous from the photo
// the editor moved on to returns to it, and Next from it comes back (the filters and sort otherwise untouched).
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReviewQueueQuery, StudioApi } from '../../../../shared/api'
import { useExternalChanges } from '../../state/useExternalChanges'
import { QueuePath } from './queuePath'

export interface QueueState {
  current: number | null
  /** Place of the current photo in the queue (0-based), null when it is not in it or not yet counted. */
  position: number | null
  total: number
  previous: number | null
  next: number | null
  /** The photos after `next`, for the page to prefetch. */
  ahead: number[]
  /** Whether `position` and `total` describe the current photo yet (they are counted a moment after it shows). */
  counted: boolean
  loading: boolean
}

/** How many photos after the next one the page prefetches. */
const AHEAD = 2
const PLACE_DELAY_MS = 120

interface Neighbours {
  of: number
  previous: number | null
  next: number | null
  ahead: number[]
}

export function useReviewQueue(studio: StudioApi, query: ReviewQueueQuery, startAt: number | null = null) {
  const [current, setCurrent] = useState<number | null>(startAt)
  const [loading, setLoading] = useState(startAt === null)
  const [neighbours, setNeighbours] = useState<Neighbours | null>(null)
  const [place, setPlace] = useState<{ of: number; position: number | null; total: number } | null>(null)
  // Bumped to ask again after an edit that may change membership (accept, class change, undo).
  const [version, setVersion] = useState(0)
  const currentRef = useRef(current)
  currentRef.current = current
  // The way back to photos accepted out of the queue; this queue's only: a new filter or sort is a new queue.
  const path = useRef(new QueuePath())

  // No photo chosen: the first of the queue.
  useEffect(() => {
    if (current !== null) return
    let live = true
    studio
      .request('review.step', { ...query, direction: 'next', limit: 1 })
      .then(({ ids }) => {
        if (!live) return
        if (ids[0] !== undefined) setCurrent(ids[0])
        else setLoading(false)
      })
      .catch((error: unknown) => {
        console.error('review queue', error)
        if (live) setLoading(false)
      })
    return () => {
      live = false
    }
  }, [studio, query, current, version])

  useEffect(() => {
    if (current === null) return
    let live = true
    setLoading(false)
    void (async () => {
      // Neighbours first: they are what the next key press needs; the count can wait.
      const [after, before] = await Promise.all([
        studio.request('review.step', { ...query, from: current, direction: 'next', limit: 1 + AHEAD }),
        studio.request('review.step', { ...query, from: current, direction: 'previous', limit: 1 }),
      ])
      if (!live) return
      setNeighbours({ of: current, previous: before.ids[0] ?? null, next: after.ids[0] ?? null, ahead: after.ids.slice(1) })
      // Counting the place can take tens of milliseconds in a sparse filter at 100,000 photos, and the studio answers
      // one request at a time: while a person holds → it is not worth counting for photos already left behind.
      await new Promise((resolve) => setTimeout(resolve, PLACE_DELAY_MS))
      if (!live) return
      const window = await studio.request('review.queue', { ...query, around: current, limit: 1 })
      if (!live) return
      setPlace({ of: current, position: window.position, total: window.total })
    })().catch((error: unknown) => {
      console.error('review queue', error)
    })
    return () => {
      live = false
    }
  }, [studio, query, current, version])

  const known = neighbours?.of === current ? neighbours : null
  const counted = place?.of === current ? place : null
  // Until the new photo's place is counted, keep showing the total of the last one rather than flashing "0".
  const lastTotal = useRef(0)
  if (place) lastTotal.current = place.total

  const goTo = useCallback((id: number | null) => {
    if (id !== null) setCurrent(id)
  }, [])

  /**
   * Next or previous; asks the studio only when the neighbours of this photo are not in yet (a fast key repeat).
   * Resolves whether the editor moved (false at either end of the queue).
   */
  const step = useCallback(
    async (direction: 'next' | 'previous', options: { leaving?: boolean } = {}): Promise<boolean> => {
      const from = currentRef.current
      if (from === null) return false
      const have = neighbours?.of === from ? neighbours : null
      const linked = path.current.step(from, direction)
      let to = linked ?? (have ? (direction === 'next' ? have.next : have.previous) : undefined)
      if (to === undefined) {
        try {
          const { ids } = await studio.request('review.step', { ...query, from, direction, limit: 1 })
          to = ids[0] ?? null
        } catch (error) {
          console.error('review queue', error) // e.g. the photo was removed meanwhile: stay put
          return false
        }
      }
      if (to === null || currentRef.current !== from) return false
      // `leaving`: the photo has just left the queue (accepted): keep the way back to it, and from it.
      if (options.leaving && direction === 'next') path.current.left(from, to)
      setCurrent(to)
      return true
    },
    [neighbours, studio, query],
  )

  const refresh = useCallback(() => setVersion((v) => v + 1), [])
  useExternalChanges(refresh) // another process kindled or reviewed: the neighbours and the place may have moved
  const state: QueueState = {
    current,
    position: counted?.position ?? null,
    total: counted?.total ?? lastTotal.current,
    previous: (current !== null ? path.current.step(current, 'previous') : undefined) ?? known?.previous ?? null,
    next: (current !== null ? path.current.step(current, 'next') : undefined) ?? known?.next ?? null,
    ahead: known ? [...(known.next !== null ? [known.next] : []), ...known.ahead] : [],
    counted: counted !== null || (current === null && !loading),
    loading,
  }
  return { ...state, goTo, step, refresh }
}
