// The project's classes with their number keys, and the few things a person does to the list while reviewing: add a
// class (N focuses the field), rename one (double-click), delete one no box uses. The studio refuses a duplicate name
// or deleting a class in use; the refusal is shown here, word for word.
import { type RefObject, useState } from 'react'
import type { ClassInfo } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { SOURCE_STYLES } from './boxStyle'

export interface ClassListProps {
  classes: ClassInfo[]
  /** The class of the selected box, or the one new boxes get. */
  current: number | null
  inputRef: RefObject<HTMLInputElement | null>
  onAdd(name: string): Promise<ClassInfo>
  onChanged(classes: ClassInfo[]): void
}

export function ClassList({ classes, current, inputRef, onAdd, onChanged }: ClassListProps) {
  const studio = useStudio()
  const [name, setName] = useState('')
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null)
  const [error, setError] = useState<string | null>(null)

  const run = async (work: () => Promise<void>) => {
    setError(null)
    try {
      await work()
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  const add = () =>
    run(async () => {
      await onAdd(name)
      setName('')
      inputRef.current?.blur() // back to the keyboard map: the new class's number key works at once
    })

  const rename = (id: number, to: string) =>
    run(async () => {
      const renamed = await studio.request('classes.update', { id, name: to })
      setRenaming(null)
      onChanged(classes.map((c) => (c.id === id ? renamed : c)))
    })

  const remove = (id: number) =>
    run(async () => {
      await studio.request('classes.delete', { id })
      onChanged(classes.filter((c) => c.id !== id))
    })

  return (
    <section className="review-classes" data-testid="class-list">
      <h3>Classes</h3>
      <ol>
        {classes.map((c, i) => (
          <li key={c.id} className={c.id === current ? 'is-current' : undefined} data-testid="class-item">
            <kbd>{i < 9 ? i + 1 : ' '}</kbd>
            <span className="swatch" style={{ background: c.color }} />
            {renaming?.id === c.id ? (
              <input
                className="review-class-input"
                autoFocus
                value={renaming.name}
                aria-label={`New name for ${c.name}`}
                onChange={(e) => setRenaming({ id: c.id, name: e.target.value })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void rename(c.id, renaming.name)
                  if (e.key === 'Escape') setRenaming(null)
                }}
                onBlur={() => setRenaming(null)}
              />
            ) : (
              <span className="review-class-name" onDoubleClick={() => setRenaming({ id: c.id, name: c.name })} title="Double-click to rename">
                {c.name}
              </span>
            )}
            <button
              type="button"
              className="review-class-delete"
              title={`Delete ${c.name} (only when no box uses it)`}
              aria-label={`Delete class ${c.name}`}
              onClick={() => void remove(c.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <form
        className="review-class-add"
        onSubmit={(e) => {
          e.preventDefault()
          if (name.trim()) void add()
        }}
      >
        <input
          ref={inputRef}
          className="review-class-input"
          placeholder="New class (N)"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && inputRef.current?.blur()}
          data-testid="class-add-name"
        />
        <button type="submit" className="button" disabled={!name.trim()} data-testid="class-add">
          Add
        </button>
      </form>
      {error && (
        <p className="review-class-error" role="alert" data-testid="class-error">
          {error}
        </p>
      )}
      <p className="review-legend" aria-label="Box colours" data-testid="review-legend">
        {SOURCE_STYLES.map((s) => (
          <span key={s.source} className="legend-item" title={s.meaning} data-source={s.source}>
            <span className={`legend-line is-${s.source}`} style={{ color: s.colour }} /> {s.name}
          </span>
        ))}
      </p>
    </section>
  )
}
