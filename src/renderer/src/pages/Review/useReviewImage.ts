// One photo in the editor: its boxes as the studio last confirmed them, and the edits a person makes to them. An edit
// shows at once on screen but counts as saved only when the studio's answer arrives (the store has committed it by
// then); until every answer is in, the indicator says "Saving…". A refused edit reloads the photo from the studio, so
// the screen never shows a box the store does not have.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Params, Result, ReviewBox, StudioApi } from '../../../../shared/api'
import { errorMessage } from '../../state/errors'

type ReviewData = Result<'review.image'>

export type SaveState = { status: 'saved' } | { status: 'saving' } | { status: 'failed'; message: string }

export function useReviewImage(studio: StudioApi, imageId: number | null) {
  const [data, setData] = useState<ReviewData | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [pending, setPending] = useState(0)
  const [failure, setFailure] = useState<string | null>(null)
  const shown = useRef(imageId)
  shown.current = imageId

  const reload = useCallback(async () => {
    if (imageId === null) return setData(null)
    try {
      const result = await studio.request('review.image', { id: imageId })
      if (shown.current === imageId) {
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

  /** Run one edit request; `local` is the box list to show meanwhile, `apply` folds the answer into the list. */
  const edit = useCallback(
    async <M extends 'boxes.add' | 'boxes.update' | 'boxes.delete' | 'images.setReviewed'>(
      method: M,
      params: Params<M>,
      local: ((boxes: ReviewBox[]) => ReviewBox[]) | null,
      apply: (boxes: ReviewBox[], result: Result<M>) => ReviewBox[],
    ): Promise<Result<M> | null> => {
      const forImage = imageId
      setPending((n) => n + 1)
      setFailure(null)
      if (local) setData((d) => d && { ...d, boxes: local(d.boxes) })
      try {
        const result = await studio.request(method, params)
        if (shown.current === forImage) setData((d) => d && { ...d, boxes: apply(d.boxes, result) })
        return result
      } catch (error) {
        setFailure(errorMessage(error))
        void reload()
        return null
      } finally {
        setPending((n) => n - 1)
      }
    },
    [studio, imageId, reload],
  )

  const addBox = useCallback(
    (box: Params<'boxes.add'>) => edit('boxes.add', box, null, (boxes, saved) => [...boxes, saved]),
    [edit],
  )
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
        if (r && shown.current === imageId) setData((d) => d && { ...d, image: { ...d.image, state: r.state } })
        return r
      })
    },
    [edit, imageId],
  )

  /** Undo and redo are not about one photo's boxes, but they are edits too: the indicator waits for them as well. */
  const saving = useCallback(async <T,>(work: () => Promise<T>): Promise<T | null> => {
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

  const save: SaveState =
    pending > 0 ? { status: 'saving' } : failure ? { status: 'failed', message: failure } : { status: 'saved' }
  return { data, loadError, save, reload, addBox, updateBox, deleteBox, setReviewed, saving }
}
