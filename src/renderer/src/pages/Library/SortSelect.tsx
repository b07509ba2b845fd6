import { useId } from 'react'
import { ImageSort } from '../../../../shared/api'

const LABEL: Record<ImageSort, string> = { name: 'Name', newest: 'Newest first', oldest: 'Oldest first' }

export function SortSelect({ value, onChange }: { value: ImageSort; onChange(sort: ImageSort): void }) {
  const id = useId()
  return (
    <div className="sort">
      <label htmlFor={id} className="muted">
        Sort
      </label>
      <select id={id} className="select" value={value} onChange={(e) => onChange(ImageSort.parse(e.target.value))}>
        {ImageSort.options.map((sort) => (
          <option key={sort} value={sort}>
            {LABEL[sort]}
          </option>
        ))}
      </select>
    </div>
  )
}
