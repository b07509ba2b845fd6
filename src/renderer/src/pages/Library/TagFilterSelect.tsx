// The Library's tag filter: any photo, or only the photos whose tag is set (or not set), for each tag the project has.
import { useEffect, useId, useState } from 'react'
import type { Counts, TagFilter } from '../../../../shared/api'
import { useStudio } from '../../api/context'

const valueOf = (f: TagFilter | undefined) => (f ? `${f.value ? 'is' : 'not'}:${f.name}` : '')

export function TagFilterSelect({ value, onChange, counts }: { value?: TagFilter; onChange(tag: TagFilter | undefined): void; counts: Counts }) {
  const id = useId()
  const studio = useStudio()
  const [names, setNames] = useState<string[]>([])
  // Asked again when the counts move: an import or a kindling may have brought new tags.
  useEffect(() => {
    let live = true
    studio
      .request('tags.names', {})
      .then((r) => live && setNames(r.names))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [studio, counts])
  const shown = value && !names.includes(value.name) ? [...names, value.name] : names
  return (
    <div className="sort">
      <label htmlFor={id} className="muted">
        Tag
      </label>
      <select
        id={id}
        className="select"
        value={valueOf(value)}
        data-testid="library-tag-filter"
        disabled={shown.length === 0}
        title={shown.length === 0 ? 'No photo has a tag yet (Review: M tags a photo smiling)' : undefined}
        onChange={(e) => {
          const [is, ...name] = e.target.value.split(':')
          onChange(e.target.value === '' ? undefined : { name: name.join(':'), value: is === 'is' })
        }}
      >
        <option value="">Any</option>
        {shown.map((name) => [
          <option key={`is:${name}`} value={`is:${name}`}>
            {name}
          </option>,
          <option key={`not:${name}`} value={`not:${name}`}>
            not {name}
          </option>,
        ])}
      </select>
    </div>
  )
}
