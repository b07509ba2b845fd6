// The photo's tags — labels of the whole photo, beside its boxes — with who said each (a person, a label file, a
// teacher with its score, a model), and what a person does to them: M toggles "smiling", T focuses the field to tag the
// photo with any name, a click flips a tag, × takes back the person's say (the machines' layers show again).
import { type RefObject, useState } from 'react'
import { type ImageTag, type TagLayer, TagName } from '../../../../shared/api'

export const SMILING_TAG = 'smiling'

const SOURCE_NAME: Record<TagLayer['source'], string> = { human: 'you', imported: 'imported', kindled: 'kindled', predicted: 'predicted' }

/** "kindled by face-expression, 0.93": where a layer came from. */
function provenance(l: TagLayer): string {
  const by = l.teacher ? ` by ${l.teacher}` : l.runId !== null ? ` by run ${l.runId}` : ''
  return `${SOURCE_NAME[l.source]}${by}${l.score !== null ? `, ${l.score.toFixed(2)}` : ''}`
}

export interface TagListProps {
  tags: ImageTag[]
  inputRef: RefObject<HTMLInputElement | null>
  onSet(name: string, value: boolean | null): void
}

export function TagList({ tags, inputRef, onSet }: TagListProps) {
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const add = () => {
    const parsed = TagName.safeParse(name)
    if (!parsed.success) return setError(`"${name}": ${parsed.error.issues[0].message}`)
    setError(null)
    onSet(parsed.data, true)
    setName('')
    inputRef.current?.blur() // back to the keyboard map
  }
  return (
    <section className="review-tags" data-testid="tag-list">
      <h3>Tags of the photo</h3>
      {tags.length === 0 ? (
        <p className="muted" data-testid="tag-none">
          No tags (M: smiling)
        </p>
      ) : (
        <ul>
          {tags.map((t) => (
            <li key={t.name} data-testid="tag-item" data-tag={t.name} data-value={String(t.value)} data-source={t.source}>
              <button
                type="button"
                className={`tag-chip ${t.value ? 'is-set' : 'is-unset'}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => onSet(t.name, !t.value)}
                title={`${t.value ? 'Set' : 'Not set'} (${t.layers.map(provenance).join('; ')}): click to flip`}
              >
                {t.value ? '✓' : '✗'} {t.name}
              </button>
              <span className="muted tag-source">{provenance(t)}</span>
              {t.source === 'human' && (
                <button
                  type="button"
                  className="review-class-delete"
                  title={t.layers.length > 1 ? `Take back your say: ${provenance(t.layers[1])} shows again` : 'Take back your say'}
                  aria-label={`Take back your tag ${t.name}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => onSet(t.name, null)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        className="review-class-add"
        onSubmit={(e) => {
          e.preventDefault()
          if (name.trim()) add()
        }}
      >
        <input
          ref={inputRef}
          className="review-class-input"
          placeholder="Tag the photo (T)"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && inputRef.current?.blur()}
          data-testid="tag-add-name"
        />
        <button type="submit" className="button" disabled={!name.trim()} data-testid="tag-add">
          Tag
        </button>
      </form>
      {error && (
        <p className="review-class-error" role="alert" data-testid="tag-error">
          {error}
        </p>
      )}
    </section>
  )
}
