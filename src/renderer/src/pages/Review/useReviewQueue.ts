// Where the editor is in the review queue: the photo shown and its neighbours in queue order. The queue is asked for a
// window centred on the current photo after every move, so next/previous follow the queue as it is now (an accepted
// photo drops out of "unreviewed" and the one after it takes its place).
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReviewQueueQuery, StudioApi } from '../../../../shared/api'

export interface QueueState {
  current: number | null
  position: number | null
  total: number
  previous: number | null
  next: number | null
  loading: boolean
}

const EMPTY: QueueState = { current: null, position: null, total: 0, previous: null, next: null, loading: true }

export function useReviewQueue(studio: StudioApi, query: ReviewQueueQuery) {
  const [state, setState] = useState<QueueState>(EMPTY)
  // Bumped to ask for the window again (after an edit that may change membership, e.g. accept or class change).
  const [version, setVersion] = useState(0)
  const [target, setTarget] = useState<{ id: number | null }>({ id: null })
  // The last place in the queue the editor stood: where to continue when the shown photo has left the queue.
  const lastPosition = useRef(0)

  useEffect(() => {
    let live = true
    void (async () => {
      const base = { ...query, limit: 3 }
      // Centre on the target; if it has left the queue, the window starts where it was, so "next" is the photo after.
      const window = await studio.request('review.queue', {
        ...base,
        ...(target.id !== null ? { around: target.id } : {}),
        offset: Math.max(0, lastPosition.current - 1),
      })
      if (!live) return
      const at = (i: number) => window.ids[i - window.offset] ?? null
      if (window.position !== null) {
        const p = window.position
        lastPosition.current = p
        setState({ current: target.id, position: p, total: window.total, previous: at(p - 1), next: at(p + 1), loading: false })
      } else if (target.id === null) {
        // No photo chosen yet: the first of the queue (or where the last one was).
        const p = Math.min(lastPosition.current, Math.max(0, window.total - 1))
        const first = await studio.request('review.queue', { ...base, offset: Math.max(0, p - 1) })
        if (!live) return
        const id = first.ids[p - first.offset] ?? null
        if (id === null) setState({ ...EMPTY, loading: false })
        else setTarget({ id })
      } else {
        // Still showing a photo that is no longer in the queue: its old slot now holds the next one.
        const p = lastPosition.current
        setState({ current: target.id, position: null, total: window.total, previous: at(p - 1), next: at(p), loading: false })
      }
    })().catch((error: unknown) => {
      console.error('review queue', error)
      if (live) setState((s) => ({ ...s, loading: false }))
    })
    return () => {
      live = false
    }
  }, [studio, query, target, version])

  const goTo = useCallback((id: number | null) => {
    if (id !== null) setTarget({ id })
  }, [])
  const refresh = useCallback(() => setVersion((v) => v + 1), [])
  return { ...state, goTo, refresh }
}
