// "N selected · Clear" in the Library's toolbar: how many photos a "Selected photos" kindling would take.
import { formatCount } from '../../format'

export function SelectionStatus({ count, selecting, onClear }: { count: number; selecting: boolean; onClear(): void }) {
  if (count === 0 && !selecting) return null
  return (
    <div className="library-selection" role="status">
      <span data-testid="selection-count">{selecting ? 'Selecting…' : `${formatCount(count)} selected`}</span>
      <span className="muted" aria-hidden="true">
        ·
      </span>
      <button type="button" className="link-button" onClick={onClear} data-testid="selection-clear">
        Clear
      </button>
    </div>
  )
}
