// One photo in the grid: thumbnail, review-state badge, file name and box count. Memoised: a grid re-renders whenever
// a page of results arrives, and the cells already on screen have not changed.
import { memo, type SyntheticEvent } from 'react'
import type { ImageSummary, ReviewState } from '../../../../shared/api'
import { useStudio } from '../../api/context'

const STATE_LABEL: Record<ReviewState, string> = { new: 'New', kindled: 'Kindled', reviewed: 'Reviewed' }

// Fade the picture in once decoded; set on the element directly, as no React state depends on it.
const markLoaded = (e: SyntheticEvent<HTMLImageElement>) => {
  e.currentTarget.dataset.loaded = ''
}

export interface ThumbnailCellProps {
  image: ImageSummary
  index: number
  id: string
  focused: boolean
  onPick(index: number): void
}

export const ThumbnailCell = memo(function ThumbnailCell({ image, index, id, focused, onPick }: ThumbnailCellProps) {
  const studio = useStudio()
  const boxes = `${image.boxes} ${image.boxes === 1 ? 'box' : 'boxes'}`
  return (
    <div
      id={id}
      role="gridcell"
      aria-selected={focused}
      aria-label={`${image.name}, ${STATE_LABEL[image.state]}, ${boxes}`}
      className={focused ? 'cell is-focused' : 'cell'}
      title={`${image.path}\n${image.width} × ${image.height} · ${image.split}`}
      data-testid="thumb"
      onMouseDown={() => onPick(index)}
    >
      <div className="cell-frame">
        <img
          src={studio.thumbnailUrl(image)}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          onLoad={markLoaded}
        />
        <span className={`badge is-${image.state}`}>{STATE_LABEL[image.state]}</span>
      </div>
      <div className="cell-caption">
        <span className="cell-name">{shortName(image.name)}</span>
        <span className="cell-meta">
          <span>{boxes}</span>
          <span>
            {image.width} × {image.height}
          </span>
        </span>
      </div>
    </div>
  )
})

/**
 * Long names lose their middle, not their end: camera and dataset names differ in the last digits and the extension
 * ("file0000000000000419.jpg" → "file00000…00419.jpg").
 */
function shortName(name: string, max = 22): string {
  if (name.length <= max) return name
  const tail = Math.ceil((max - 1) / 2)
  return `${name.slice(0, max - 1 - tail)}…${name.slice(-tail)}`
}

/** Stands in for a photo whose page is still on its way. */
export function PlaceholderCell() {
  return (
    <div role="gridcell" aria-busy="true" className="cell is-loading">
      <div className="cell-frame" />
      <div className="cell-caption">
        <span className="skeleton-line" />
        <span className="skeleton-line is-short" />
      </div>
    </div>
  )
}
