// The review states as tabs, each with how many photos are in it.
import type { Counts } from '../../../../shared/api'
import { type Filter, totalFor } from './filters'

const TABS: { filter: Filter; label: string; hint: string }[] = [
  { filter: 'all', label: 'All', hint: 'Every photo in the project' },
  { filter: 'new', label: 'New', hint: 'Not labelled yet' },
  { filter: 'kindled', label: 'Kindled', hint: 'Labelled by a teacher detector, waiting for review' },
  { filter: 'reviewed', label: 'Reviewed', hint: 'Checked by a person' },
]

export interface StateTabsProps {
  counts: Counts
  value: Filter
  onChange(filter: Filter): void
  controls: string
}

export function StateTabs({ counts, value, onChange, controls }: StateTabsProps) {
  return (
    <div className="tabs" role="tablist" aria-label="Review state">
      {TABS.map(({ filter, label, hint }) => (
        <button
          key={filter}
          type="button"
          role="tab"
          className="tab"
          aria-selected={filter === value}
          aria-controls={controls}
          title={hint}
          onClick={() => onChange(filter)}
        >
          <span className={`tab-dot is-${filter}`} aria-hidden="true" />
          {label}
          {/* Ungrouped ("7172"), so scripts and tests can read the count as the number it is. */}
          <span className="tab-count" data-testid={`count-${filter}`}>
            {totalFor(filter, counts)}
          </span>
        </button>
      ))}
    </div>
  )
}
