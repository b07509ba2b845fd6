// One photo in the editor: its boxes as the studio last confirmed them, and the edits a person makes to them. An edit
// shows at once but counts as saved only when the studio's answer arrives (the store has committed it); until every
// answer is in, the indicator says "Saving…", and a refused edit reloads the photo, so the screen never shows a box the
// store does not have. The next photos are fetched ahead (boxes, and the photo decoded), so "next" shows one from memory;
// the shown photo is still asked for again in the background, in case a kindling job changed it since.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { ImageTag, Params, Result, ReviewBox, StudioApi, TagLayer } from '../../../../shared/api'
import { errorMessage } from '../../state/errors'

type ReviewData = Result<'review.image'>

/** Prefetched photos kept: the few ahead and the few just left (for "previous"). */
const CACHE_SIZE = 8

export type SaveState = { status: 'saved' } | { status: 'saving' } | { status: 'failed'; message: string }

export function useReviewImage(studio: StudioApi, imageId: number | null) {
  const [loaded, setData] = useState<ReviewData | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [pending, setPending] = useState(0)
  const [failure, setFailure] = useState<string | null>(null)
  const shown = useRef(imageId)
  shown.current = imageId
  const cache = useRef(new Map<number, ReviewData>())
  // Photos being decoded ahead; the Image objects are kept so the browser keeps the decoded bitmaps.
  const decoded = useRef(new Map<number, HTMLImageElement>())
  // Counts edits sent: an answer to a reload asked before an edit must not overwrite the edit on screen.
  const edits = useRef(0)

  // The shown photo: as loaded, or straight from the prefetch cache on the render that moves to it.
  const data = loaded?.image.id === imageId ? loaded : imageId !== null ? (cache.current.get(imageId) ?? null) : null

  const reload = useCallback(async () => {
    if (imageId === null) return setData(null)
    const asked = edits.current
    try {
      const result = await studio.request('review.image', { id: imageId })
      if (shown.current === imageId && edits.current === asked) {
        setData(result)
        setLoadError(null)
      }
    } catch (error) {
      if (shown.current === imageId) setLoadError(errorMessage(error))
    }
  }, [studio, imageId])

  useEffect(() => {
    void reload()
  }, [reload])

  // What is on screen is what the cache holds for that photo (edits included), for when the editor comes back to it.
  useEffect(() => {
    if (data) remember(cache.current, data)
  }, [data])

  /** Change the data of photo `id`: as last set, or as the cache had it when the editor moved to it. */
  const patch = useCallback((id: number | null, change: (d: ReviewData) => ReviewData) => {
    setData((d) => {
      const base = d?.image.id === id ? d : id !== null ? cache.current.get(id) : undefined
      return base ? change(base) : d
    })
  }, [])

  /** Fetch these photos ahead: their boxes now, and the photo bytes decoded, so moving to one draws at once. */
  const prefetch = useCallback(
    (ids: number[], photoUrl: ((image: ReviewData['image']) => string) | null) => {
      for (const id of ids) {
        if (cache.current.has(id)) continue
        studio
          .request('review.image', { id })
          .then((result) => {
            if (!cache.current.has(id)) remember(cache.current, result)
            if (photoUrl && !decoded.current.has(id)) {
              const img = new Image()
              img.src = photoUrl(result.image)
              decoded.current.set(id, img)
              img.decode().catch(() => decoded.current.delete(id)) // a broken photo shows its error when reached
              while (decoded.current.size > CACHE_SIZE) decoded.current.delete(decoded.current.keys().next().value!)
            }
          })
          .catch(() => {}) // fetched again, with its error shown, if the editor gets there
      }
    },
    [studio],
  )

  /** Forget prefetched photos: an undo or redo may have changed any of them. */
  const forget = useCallback(() => {
    for (const id of cache.current.keys()) if (id !== shown.current) cache.current.delete(id)
  }, [])

  /** Run one edit request; `local` is the box list to show meanwhile, `apply` folds the answer into the list. */
  const edit = useCallback(
    async <M extends 'boxes.add' | 'boxes.update' | 'boxes.delete' | 'images.setReviewed'>(
      method: M,
      params: Params<M>,
      local: ((boxes: ReviewBox[]) => ReviewBox[]) | null,
      apply: (boxes: ReviewBox[], result: Result<M>) => ReviewBox[],
    ): Promise<Result<M> | null> => {
      const forImage = imageId
      edits.current++
      setPending((n) => n + 1)
      setFailure(null)
      if (local) patch(forImage, (d) => ({ ...d, boxes: local(d.boxes) }))
      try {
        const result = await studio.request(method, params)
        if (shown.current === forImage) patch(forImage, (d) => ({ ...d, boxes: apply(d.boxes, result) }))
        return result
      } catch (error) {
        setFailure(errorMessage(error))
        void reload()
        return null
      } finally {
        setPending((n) => n - 1)
      }
    },
    [studio, imageId, reload, patch],
  )

  const addBox = useCallback((box: Params<'boxes.add'>) => edit('boxes.add', box, null, (boxes, saved) => [...boxes, saved]), [edit])
  const updateBox = useCallback(
    (change: Params<'boxes.update'>) => {
      const patch = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined))
      return edit(
        'boxes.update',
        change,
        (boxes) => boxes.map((b) => (b.id === change.id ? { ...b, ...patch } : b)),
        (boxes, saved) => boxes.map((b) => (b.id === saved.id ? saved : b)),
      )
    },
    [edit],
  )
  const deleteBox = useCallback(
    (id: number) =>
      edit(
        'boxes.delete',
        { id },
        (boxes) => boxes.filter((b) => b.id !== id),
        (boxes) => boxes.filter((b) => b.id !== id),
      ),
    [edit],
  )
  const setReviewed = useCallback(
    (reviewed: boolean) => {
      if (imageId === null) return Promise.resolve(null)
      return edit('images.setReviewed', { id: imageId, reviewed }, null, (boxes) => boxes).then((r) => {
        if (r && shown.current === imageId) patch(imageId, (d) => ({ ...d, image: { ...d.image, state: r.state } }))
        return r
      })
    },
    [edit, imageId, patch],
  )

  /**
   * Set (or, `value` null, take back) a person's say on the photo's tag. Shown at once as the person's; the answer
   * (the photo's tags as stored) replaces it.
   */
  const setTag = useCallback(
    async (name: string, value: boolean | null) => {
      const forImage = imageId
      if (forImage === null) return null
      edits.current++
      setPending((n) => n + 1)
      setFailure(null)
      patch(forImage, (d) => ({ ...d, tags: localTags(d.tags, name, value) }))
      try {
        const { tags } =
          value === null
            ? await studio.request('tags.clear', { imageId: forImage, name })
            : await studio.request('tags.set', { imageId: forImage, name, value })
        if (shown.current === forImage) patch(forImage, (d) => ({ ...d, tags }))
        return tags
      } catch (error) {
        setFailure(errorMessage(error))
        void reload()
        return null
      } finally {
        setPending((n) => n - 1)
      }
    },
    [studio, imageId, reload, patch],
  )

  /** Undo and redo are not about one photo's boxes, but they are edits too: the indicator waits for them as well. */
  const saving = useCallback(async <T>(work: () => Promise<T>): Promise<T | null> => {
    edits.current++
    setPending((n) => n + 1)
    setFailure(null)
    try {
      return await work()
    } catch (error) {
      setFailure(errorMessage(error))
      return null
    } finally {
      setPending((n) => n - 1)
    }
  }, [])

  const save: SaveState = pending > 0 ? { status: 'saving' } : failure ? { status: 'failed', message: failure } : { status: 'saved' }
  // The moment the page shows "Saved" after edits (the review bench measures an edit's acknowledgement up to here).
  const wasSaving = useRef(false)
  // At commit, not after paint: the DOM says "Saved" from here and the frame being prepared paints it.
  useLayoutEffect(() => {
    if (pending > 0) wasSaving.current = true
    else if (wasSaving.current) {
      wasSaving.current = false
      if (!failure) performance.mark('review:saved')
    }
  }, [pending, failure])
  return { data, loadError, save, reload, addBox, updateBox, deleteBox, setReviewed, setTag, saving, prefetch, forget }
}

/** The tags as they will be once the person's say is stored: their layer on top, or gone. */
function localTags(tags: ImageTag[], name: string, value: boolean | null): ImageTag[] {
  const old = tags.find((t) => t.name === name)
  const below = (old?.layers ?? []).filter((l) => l.source !== 'human')
  const human: TagLayer | null =
    value === null ? null : { value, source: 'human', teacher: null, teacherVersion: null, runId: null, score: null }
  const layers = human ? [human, ...below] : below
  const rest = tags.filter((t) => t.name !== name)
  if (layers.length === 0) return rest
  return [...rest, { name, ...layers[0], layers }].sort((a, b) => a.name.localeCompare(b.name))
}

function remember(cache: Map<number, ReviewData>, data: ReviewData): void {
  cache.delete(data.image.id) // re-inserted last: the map's order is the order of use
  cache.set(data.image.id, data)
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!)
}
