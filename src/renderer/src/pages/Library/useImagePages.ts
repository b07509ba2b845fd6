// The Library's page cache, kept in step with the project without flooding the studio: while an import adds photos
// several times a second, cached pages are marked stale at most every THROTTLE_MS (the counts, and so the size of
// the grid, still follow every change at once).
import { useEffect, useRef, useState } from 'react'
import type { Counts, ThumbnailBox } from '../../../../shared/api'
import { useConnection, useStudio } from '../../api/context'
import { useExternalChanges } from '../../state/useExternalChanges'
import { ImagePages, staleFrom } from './imagePages'

const THROTTLE_MS = 500

export function useImagePages(counts: Counts): ImagePages {
  const studio = useStudio()
  const { state } = useConnection()
  const [pages] = useState(
    () =>
      new ImagePages(async (query, offset, limit) => {
        const page = await studio.request('images.page', { ...query, offset, limit })
        // The boxes for this page only (the grid asks for pages as they scroll into view): fast at any project size.
        const { boxes } = await studio.request('images.boxes', { ids: page.items.map((i) => i.id) })
        const byImage = new Map<number, ThumbnailBox[]>()
        for (const b of boxes) {
          const list = byImage.get(b.imageId)
          if (list) list.push(b)
          else byImage.set(b.imageId, [b])
        }
        return page.items.map((image) => ({ ...image, overlay: byImage.get(image.id) ?? [] }))
      }),
  )

  const applied = useRef(counts)
  const latest = useRef(counts)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const lastRun = useRef(0)

  useEffect(() => {
    latest.current = counts
    if (timer.current !== undefined) return // the scheduled run will see these counts
    const run = () => {
      timer.current = undefined
      lastRun.current = performance.now()
      const before = applied.current
      const after = (applied.current = latest.current)
      pages.markStale((query) => staleFrom(query, before, after))
    }
    const wait = lastRun.current + THROTTLE_MS - performance.now()
    if (wait <= 0) run()
    else timer.current = setTimeout(run, wait)
  }, [counts, pages])

  useEffect(() => () => clearTimeout(timer.current), [])

  // Another process may have changed any photo's boxes or state without moving the counts (a kindling redo): every
  // cached page is marked stale, still shown (the scroll and selection stay) and refetched only if in view.
  useExternalChanges(() => pages.markStale(() => 0))

  // Changes made while the connection was down were never announced: after a reconnection nothing cached is trusted.
  useEffect(() => {
    if (state.status === 'open') pages.markStale(() => 0)
  }, [state.status, pages])

  return pages
}
