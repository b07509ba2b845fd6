// The queue's filters and sort, Undo and Redo (as Ctrl+Z and Ctrl+Shift+Z do), where the editor stands in the queue,
// and whether the last edit is saved.
import type { MouseEvent } from 'react'
import type { ClassInfo, ReviewFilter, ReviewQueueQuery, ReviewSort, Split } from '../../../../shared/api'
import type { SaveState } from './useReviewImage'

const FILTERS: { value: ReviewFilter; label: string }[] = [
  { value: 'unreviewed', label: 'Unreviewed' },
  { value: 'reviewed', label: 'Reviewed' },
  { value: 'low-score', label: 'Kindled, low score' },
  { value: 'no-boxes', label: 'No boxes' },
  { value: 'disagree', label: 'Predictions disagree' },
  { value: 'all', label: 'All photos' },
]
const SORTS: { value: ReviewSort; label: string }[] = [
  { value: 'name', label: 'File name' },
  { value: 'score', label: 'Teacher score (lowest first)' },
  { value: 'newest', label: 'Newest' },
]

export interface ReviewToolbarProps {
  query: Required<Pick<ReviewQueueQuery, 'filter' | 'sort'>> & ReviewQueueQuery
  classes: ClassInfo[]
  /** The tag names the project's photos have, for the tag filter. */
  tagNames: string[]
  onQuery(query: ReviewQueueQuery): void
  position: number | null
  total: number
  /** False while the place of the photo shown is still being counted. */
  counted: boolean
  save: SaveState
  /** Whether the project's edit log has a step to undo, and one to redo. */
  canUndo: boolean
  canRedo: boolean
  onUndo(): void
  onRedo(): void
}

// A click leaves the focus where it was: the editor is keyboard first, and a focused Undo would take the next Enter
// (meant to accept the photo) as another undo.
const keepFocus = (e: MouseEvent) => e.preventDefault()

export function ReviewToolbar(props: ReviewToolbarProps) {
  const { query, classes, tagNames, onQuery, position, total, counted, save, canUndo, canRedo, onUndo, onRedo } = props
  return (
    <div className="review-toolbar">
      <div className="review-undo" role="group" aria-label="Undo and redo">
        <button
          type="button"
          className="button is-small"
          onClick={onUndo}
          onMouseDown={keepFocus}
          disabled={!canUndo}
          title={canUndo ? 'Undo the last edit (Ctrl+Z)' : 'Nothing to undo (Ctrl+Z)'}
          aria-keyshortcuts="Control+Z"
          data-testid="review-undo"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          className="button is-small"
          onClick={onRedo}
          onMouseDown={keepFocus}
          disabled={!canRedo}
          title={canRedo ? 'Redo the edit undone last (Ctrl+Shift+Z or Ctrl+Y)' : 'Nothing to redo (Ctrl+Shift+Z or Ctrl+Y)'}
          aria-keyshortcuts="Control+Shift+Z Control+Y"
          data-testid="review-redo"
        >
          ↷ Redo
        </button>
      </div>
      <label className="review-select">
        <span>Show</span>
        <select data-testid="review-filter" value={query.filter} onChange={(e) => onQuery({ ...query, filter: e.target.value as ReviewFilter })}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.value === 'low-score' ? `${f.label} (< ${query.lowScore ?? 0.5})` : f.label}
            </option>
          ))}
        </select>
      </label>
      <label className="review-select">
        <span>Class</span>
        <select
          data-testid="review-class-filter"
          value={query.classId ?? ''}
          onChange={(e) => onQuery({ ...query, classId: e.target.value ? Number(e.target.value) : undefined })}
        >
          <option value="">Any</option>
          {classes.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label className="review-select">
        <span>Split</span>
        <select
          data-testid="review-split-filter"
          value={query.split ?? ''}
          onChange={(e) => onQuery({ ...query, split: (e.target.value || undefined) as Split | undefined })}
        >
          <option value="">Any</option>
          <option value="train">train</option>
          <option value="val">val</option>
          <option value="test">test</option>
        </select>
      </label>
      <label className="review-select">
        <span>Tag</span>
        <select
          data-testid="review-tag-filter"
          value={query.tag ? `${query.tag.value ? 'is' : 'not'}:${query.tag.name}` : ''}
          onChange={(e) => {
            const [is, ...name] = e.target.value.split(':')
            onQuery({ ...query, tag: e.target.value ? { name: name.join(':'), value: is === 'is' } : undefined })
          }}
        >
          <option value="">Any</option>
          {[...new Set([...tagNames, ...(query.tag ? [query.tag.name] : [])])].map((name) => [
            <option key={`is:${name}`} value={`is:${name}`}>
              {name}
            </option>,
            <option key={`not:${name}`} value={`not:${name}`}>
              not {name}
            </option>,
          ])}
        </select>
      </label>
      <label className="review-select">
        <span>Sort</span>
        <select data-testid="review-sort" value={query.sort} onChange={(e) => onQuery({ ...query, sort: e.target.value as ReviewSort })}>
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <span className="review-position" data-testid="review-position">
        {!counted
          ? total > 0
            ? `… of ${total}`
            : '…'
          : total === 0
            ? 'No photos'
            : position === null
              ? `– of ${total}`
              : `${position + 1} of ${total}`}
      </span>
      <span
        className={`review-save is-${save.status}`}
        data-testid="save-state"
        role="status"
        title={save.status === 'failed' ? save.message : undefined}
      >
        {save.status === 'saving' ? 'Saving…' : save.status === 'saved' ? 'Saved' : `Not saved: ${save.message}`}
      </span>
    </div>
  )
}
