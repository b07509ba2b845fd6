// Review: walk the queue photo by photo and correct its boxes, keyboard first. Every edit goes to the studio at once;
// the toolbar says "Saved" only when the studio has answered every edit sent.
import { memo, useCallback, useEffect, useRef, useState } from 'react'
import type { ClassInfo, ReviewBox, ReviewQueueQuery } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { reviewHash, useReviewImageParam } from '../../state/usePage'
import { BoxCanvas, type BoxCanvasHandle } from './BoxCanvas'
import { ClassList } from './ClassList'
import { useEvalMark } from './evalMark'
import { EvalMarkPanel } from './EvalMarkPanel'
import { type Rect, rounded } from './geometry'
import { actionFor, CHEAT_SHEET } from './keys'
import { ReviewToolbar } from './ReviewToolbar'
import { SMILING_TAG, TagList } from './TagList'
import { useReviewImage } from './useReviewImage'
import { useReviewQueue } from './useReviewQueue'
import '../../styles/review.css'

type Query = ReviewQueueQuery & Required<Pick<ReviewQueueQuery, 'filter' | 'sort'>>

// Memo: the app re-renders on every `project.changed` (the header's counts move with each edit); the page has no props
// that change with it, and re-rendering the editor there would delay the next edit's "Saved".
export const ReviewPage = memo(function ReviewPage() {
  const [query, setQuery] = useState<Query>({ filter: 'unreviewed', sort: 'name', lowScore: 0.5 })
  // Kept across queues: an empty queue loads no photo, yet its class filter must still name the class.
  const [classes, setClasses] = useState<ClassInfo[]>([])
  // `#review?image=ID` opens the page at that photo; a new filter or sort is a new queue and starts from its first.
  const asked = useReviewImageParam()
  const [startAt] = useState(asked.image)
  const [queueChanged, setQueueChanged] = useState(false)
  return (
    <ReviewQueueView
      key={JSON.stringify(query)}
      query={query}
      onQuery={(q) => {
        setQueueChanged(true)
        setQuery(q as Query)
      }}
      startAt={queueChanged ? null : startAt}
      asked={asked}
      classes={classes}
      onClasses={setClasses}
    />
  )
})

interface ReviewQueueViewProps {
  query: Query
  onQuery(q: ReviewQueueQuery): void
  startAt: number | null
  /** The photo the URL asks for, renewed by each navigation (a link followed while the page is open). */
  asked: { image: number | null }
  classes: ClassInfo[]
  onClasses(classes: ClassInfo[]): void
}

function ReviewQueueView({ query, onQuery, startAt, asked, classes, onClasses }: ReviewQueueViewProps) {
  const studio = useStudio()
  const queue = useReviewQueue(studio, query, startAt)
  const photo = useReviewImage(studio, queue.current)
  const [selected, setSelected] = useState<number | null>(null)
  const [drawClass, setDrawClass] = useState<number | null>(null)
  const [hidden, setHidden] = useState(false)
  const [panMode, setPanMode] = useState(false)
  const canvas = useRef<BoxCanvasHandle>(null)
  const addClassInput = useRef<HTMLInputElement>(null)
  const tagInput = useRef<HTMLInputElement>(null)
  const data = photo.data?.image.id === queue.current ? photo.data : null
  const loadedClasses = photo.data?.classes
  useEffect(() => {
    if (loadedClasses) onClasses(loadedClasses)
  }, [loadedClasses, onClasses])

  // A link followed while the page is open moves the editor there.
  const { goTo } = queue
  const firstAsk = useRef(asked)
  useEffect(() => {
    if (asked !== firstAsk.current && asked.image !== null) goTo(asked.image)
  }, [asked, goTo])
  // The URL names the photo shown, so a reload (or a copied link) comes back to it. replaceState: no history entry
  // per photo, and no hashchange event.
  const shownId = queue.current
  useEffect(() => {
    if (shownId !== null && location.hash.startsWith('#review')) history.replaceState(null, '', reviewHash(shownId))
  }, [shownId])

  // Fetch ahead what next (and previous) will show, so moving draws from memory.
  const photoUrl = studio.photoUrl ?? null
  const { prefetch } = photo
  const ahead = [...queue.ahead, ...(queue.previous !== null ? [queue.previous] : [])]
  const aheadKey = ahead.join(',')
  useEffect(() => {
    if (aheadKey) prefetch(aheadKey.split(',').map(Number), photoUrl)
  }, [aheadKey, prefetch, photoUrl])
  const boxes = data?.boxes ?? []
  const classForNew = drawClass ?? classes[0]?.id ?? null

  useEffect(() => setSelected(null), [shownId])
  // A mistake opened from the Evaluate page: the model's box drawn over its photo, the missed label selected.
  const mark = useEvalMark()
  const markHere = mark && data?.image.id === mark.imageId ? mark : null
  useEffect(() => {
    if (mark?.labelBoxId && shownId === mark.imageId) setSelected(mark.labelBoxId)
  }, [mark, shownId])

  const selectedBox = boxes.find((b) => b.id === selected) ?? null

  // Whether Undo and Redo have a step to take: asked again whenever the edits sent have all been answered (an edit,
  // an undo or a redo has just committed), so the buttons never offer what the keys would not do.
  const [undoable, setUndoable] = useState({ canUndo: false, canRedo: false })
  const settled = photo.save.status !== 'saving'
  const [editsSeen, setEditsSeen] = useState(0)
  useEffect(() => {
    if (!settled) return
    let live = true
    studio
      .request('edits.status', {})
      .then((s) => live && setUndoable(s))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [studio, settled, editsSeen])

  /** A new class list from the studio; a class that has gone can no longer be the one new boxes get. */
  const classesChanged = useCallback(
    (next: ClassInfo[]) => {
      onClasses(next)
      setEditsSeen((n) => n + 1) // a class edit is on the undo stack too
      if (drawClass !== null && !next.some((c) => c.id === drawClass)) setDrawClass(null)
    },
    [onClasses, drawClass],
  )

  const undoOrRedo = useCallback(
    async (method: 'edits.undo' | 'edits.redo') => {
      // "Saved" only once the photo on screen shows the undone state too, not just when the store has it. A class edit
      // (no photo) shows on the boxes of every photo, through their class's name and colour: reload the one shown.
      const result = await photo.saving(async () => {
        const answer = await studio.request(method, {})
        if (answer.edit && (answer.edit.imageId === null || answer.edit.imageId === queue.current)) await photo.reload()
        return answer
      })
      setEditsSeen((n) => n + 1)
      const edit = result?.edit
      if (!edit) return
      if (result.classes) classesChanged(result.classes)
      photo.forget() // the photos fetched ahead may be the one the edit was on, and they hold the class list too
      // Show what changed: the photo the edit was on, even if the editor had moved on since; a class edit is on none,
      // and the class list shows it, so the editor stays where it is.
      if (edit.imageId !== null && edit.imageId !== queue.current) queue.goTo(edit.imageId)
      queue.refresh()
    },
    [photo, studio, queue, classesChanged],
  )

  const accept = useCallback(async () => {
    if (!data) return
    const done = await photo.setReviewed(true)
    if (!done) return
    // On from this photo's place in the sort, even though it has left "unreviewed"; at the end, stay and recount.
    if (!(await queue.step('next', { leaving: true }))) queue.refresh()
  }, [data, queue, photo])

  const addClass = useCallback(
    async (name: string) => {
      const added = await studio.request('classes.add', { name })
      onClasses([...classes, added])
      setEditsSeen((n) => n + 1)
      setDrawClass(added.id)
      return added
    },
    [studio, classes, onClasses],
  )

  const setClass = useCallback(
    (box: ReviewBox | null, classId: number) => {
      setDrawClass(classId)
      if (box && box.classId !== classId) void photo.updateBox({ id: box.id, classId })
    },
    [photo],
  )

  const toggleSmiling = useCallback(
    (box: ReviewBox) => {
      const now = (box.attributes.smiling as { value?: unknown } | undefined)?.value === true
      const attributes = { ...box.attributes, smiling: { value: !now, source: 'human' as const } }
      void photo.updateBox({ id: box.id, attributes: attributes as never })
    },
    [photo],
  )

  // The project's tag names for the queue's tag filter, asked again after each edit (a new tag may be among them).
  const [tagNames, setTagNames] = useState<string[]>([])
  useEffect(() => {
    let live = true
    studio
      .request('tags.names', {})
      .then((r) => live && setTagNames(r.names))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [studio, editsSeen])

  const setTag = useCallback(
    async (name: string, value: boolean | null) => {
      const tags = await photo.setTag(name, value)
      if (tags) setEditsSeen((n) => n + 1)
    },
    [photo],
  )

  // The latest handlers, read by one window listener that is installed once.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {})
  onKey.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null
    if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return
    // A focused button already acts on Enter/Space; acting on it here too would accept *and* press the button.
    if (target?.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return
    const action = actionFor(e)
    if (action === null) return
    e.preventDefault()
    if (typeof action === 'object') {
      const cls = classes[action.classNumber - 1]
      if (cls) setClass(selectedBox, cls.id)
      return
    }
    switch (action) {
      case 'next':
        return void queue.step('next')
      case 'previous':
        return void queue.step('previous')
      case 'nextBox': {
        if (boxes.length === 0) return
        const i = boxes.findIndex((b) => b.id === selected)
        const box = boxes[(i + (e.shiftKey ? boxes.length - 1 : 1)) % boxes.length]
        setSelected(box.id)
        // Zoomed in on one box, Tab moves the view to the next, as one walks a crowd photo face by face.
        if (canvas.current?.zoomed()) canvas.current.zoomTo(box)
        return
      }
      case 'accept':
        return void accept()
      case 'delete':
        if (selectedBox) {
          setSelected(null)
          void photo.deleteBox(selectedBox.id)
        }
        return
      case 'acceptBox':
        // A confirmed teacher box becomes a person's box, unchanged: it will count as checked ground truth.
        if (selectedBox && selectedBox.source !== 'human') void photo.updateBox({ id: selectedBox.id })
        return
      case 'smiling':
        if (selectedBox) toggleSmiling(selectedBox)
        return
      case 'tagSmiling': {
        if (!data) return
        const now = data.tags.find((t) => t.name === SMILING_TAG)?.value === true
        return void setTag(SMILING_TAG, !now)
      }
      case 'tag':
        return tagInput.current?.focus()
      case 'undo':
        return void undoOrRedo('edits.undo')
      case 'redo':
        return void undoOrRedo('edits.redo')
      case 'deselect':
        return setSelected(null)
      case 'hide':
        return setHidden(true)
      case 'pan':
        return setPanMode(true)
      case 'fit':
        return canvas.current?.fit()
      case 'zoomIn':
        return canvas.current?.zoomBy(1.25)
      case 'zoomOut':
        return canvas.current?.zoomBy(1 / 1.25)
      case 'zoomToBox': {
        // Nothing selected: the first box, selected, so Tab goes on from it (and zooms along: see `nextBox`).
        const box = selectedBox ?? boxes[0]
        if (!box) return
        setSelected(box.id)
        return canvas.current?.zoomTo(box)
      }
      case 'addClass':
        return addClassInput.current?.focus()
    }
  }
  useEffect(() => {
    const down = (e: KeyboardEvent) => onKey.current(e)
    const up = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === 'h') setHidden(false)
      if (e.key === ' ') setPanMode(false)
    }
    window.addEventListener('keydown', down)
    window.addEventListener('keyup', up)
    return () => {
      window.removeEventListener('keydown', down)
      window.removeEventListener('keyup', up)
    }
  }, [])

  const onDraw = (rect: Rect) => {
    if (!data || classForNew === null) return
    void photo.addBox({ imageId: data.image.id, classId: classForNew, ...rect }).then((box) => box && setSelected(box.id))
  }

  return (
    <div className="review" data-testid="review-page">
      <ReviewToolbar
        query={query}
        classes={classes}
        tagNames={tagNames}
        onQuery={onQuery}
        position={queue.position}
        total={queue.total}
        counted={queue.counted}
        save={photo.save}
        canUndo={undoable.canUndo}
        canRedo={undoable.canRedo}
        onUndo={() => void undoOrRedo('edits.undo')}
        onRedo={() => void undoOrRedo('edits.redo')}
      />
      <div className="review-body">
        {data ? (
          <BoxCanvas
            ref={canvas}
            imageId={data.image.id}
            panMode={panMode}
            photoUrl={studio.photoUrl ? studio.photoUrl(data.image) : null}
            width={data.image.width}
            height={data.image.height}
            boxes={boxes}
            classes={classes}
            selected={selected}
            hidden={hidden}
            onSelect={setSelected}
            onDraw={onDraw}
            onChange={(id, rect) => void photo.updateBox({ id, ...rect })}
            mark={markHere?.prediction ? { rect: markHere.prediction, text: markText(markHere.prediction) } : null}
          />
        ) : (
          <div className="review-empty" data-testid="review-empty">
            {queue.loading || (queue.current !== null && !photo.loadError) ? 'Loading…' : (photo.loadError ?? 'No photos in this queue.')}
          </div>
        )}
        <aside className="review-side">
          {data && (
            <section className="review-info">
              <h2 data-testid="review-name" title={data.image.path}>
                {data.image.name}
              </h2>
              <p>
                <span className={`state-pill is-${data.image.state}`} data-testid="review-state">
                  {data.image.state}
                </span>{' '}
                {data.image.split} · {data.image.width}×{data.image.height} · {boxes.length} boxes
              </p>
              <div className="review-buttons">
                <button
                  type="button"
                  className="button"
                  onClick={() => void queue.step('previous')}
                  disabled={queue.previous === null}
                  data-testid="review-previous"
                >
                  Previous
                </button>
                <button type="button" className="button is-primary" onClick={() => void accept()} data-testid="accept">
                  Accept
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() => void queue.step('next')}
                  disabled={queue.next === null}
                  data-testid="review-next"
                >
                  Next
                </button>
              </div>
            </section>
          )}
          {data && markHere && (
            <EvalMarkPanel
              mark={markHere}
              classes={classes}
              labelPresent={boxes.some((b) => b.id === markHere.labelBoxId)}
              onAddLabel={(classId) => {
                const p = markHere.prediction
                if (p)
                  void photo.addBox({ imageId: data.image.id, classId, ...rounded(p, data.image) }).then((box) => box && setSelected(box.id))
              }}
              onMoveLabel={() => {
                const p = markHere.prediction
                if (p && markHere.labelBoxId !== null) void photo.updateBox({ id: markHere.labelBoxId, ...rounded(p, data.image) })
              }}
            />
          )}
          {data && <TagList tags={data.tags} inputRef={tagInput} onSet={(name, value) => void setTag(name, value)} />}
          <ClassList
            classes={classes}
            current={selectedBox?.classId ?? classForNew}
            inputRef={addClassInput}
            onAdd={addClass}
            onChanged={(next) => {
              classesChanged(next)
              void photo.reload() // the labels on the boxes show the new name
            }}
          />
          <section className="review-keys" data-testid="cheat-sheet">
            <h3>Keys</h3>
            <dl>
              {CHEAT_SHEET.map((k) => (
                <div key={k.keys}>
                  <dt>
                    <kbd>{k.keys}</kbd>
                  </dt>
                  <dd>{k.what}</dd>
                </div>
              ))}
            </dl>
          </section>
        </aside>
      </div>
    </div>
  )
}

/** "model: face 0.83": the Evaluate page's box is the model's, never a label. */
const markText = (p: { className: string; score: number | null }) =>
  `model: ${[p.className, p.score === null ? '' : p.score.toFixed(2)].filter(Boolean).join(' ')}`
