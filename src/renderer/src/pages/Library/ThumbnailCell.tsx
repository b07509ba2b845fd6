// One photo in the grid: thumbnail with its boxes drawn over it, review-state badge, file name and box count.
// A click selects it (with Ctrl/Cmd or Shift: toggles it, or selects a run); double-click opens it in Review.
// Memoised: a grid re-renders whenever a page of results arrives, and the cells already on screen have not changed.
import { memo, type SyntheticEvent } from 'react'
import type { ReviewState, ThumbnailBox } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import type { LibraryImage } from './imagePages'
import { type PickMode, pickMode } from './selection'
import { openInReview } from './openInReview'

const STATE_LABEL: Record<ReviewState, string> = { new: 'New', kindled: 'Kindled', reviewed: 'Reviewed' }

// Fade the picture in once decoded; set on the element directly, as no React state depends on it.
const markLoaded = (e: SyntheticEvent<HTMLImageElement>) => {
  e.currentTarget.dataset.loaded = ''
}

export interface ThumbnailCellProps {
  image: LibraryImage
  index: number
  id: string
  focused: boolean
  selected: boolean
  onPick(index: number, id: number, mode: PickMode): void
}

export const ThumbnailCell = memo(function ThumbnailCell({ image, index, id, focused, selected, onPick }: ThumbnailCellProps) {
  const studio = useStudio()
  const boxes = `${image.boxes} ${image.boxes === 1 ? 'box' : 'boxes'}`
  return (
    <div
      id={id}
      role="gridcell"
      aria-selected={selected}
      aria-label={`${image.name}, ${STATE_LABEL[image.state]}, ${boxes}`}
      className={`cell${focused ? ' is-focused' : ''}${selected ? ' is-selected' : ''}`}
      title={`${image.path}\n${image.width} × ${image.height} · ${image.split}`}
      data-testid="thumb"
      onMouseDown={(e) => {
        // The right button opens a menu, not a new selection.
        if (e.button === 0) onPick(index, image.id, pickMode(e))
      }}
      onDoubleClick={() => openInReview(image.id)}
    >
      <div className="cell-frame">
        <img src={studio.thumbnailUrl(image)} alt="" loading="lazy" decoding="async" draggable={false} onLoad={markLoaded} />
        {image.overlay.length > 0 && <BoxOverlay image={image} boxes={image.overlay} />}
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
 * The photo's boxes over its thumbnail. The SVG's viewBox is the photo's own size and `meet` scales it exactly as the
 * image's `object-fit: contain` does, so the boxes land on the faces whatever the thumbnail's aspect ratio.
 */
function BoxOverlay({ image, boxes }: { image: LibraryImage; boxes: ThumbnailBox[] }) {
  return (
    <svg
      className="cell-boxes"
      viewBox={`0 0 ${image.width} ${image.height}`}
      preserveAspectRatio="xMidYMid meet"
      aria-hidden="true"
      data-testid="thumb-boxes"
    >
      {boxes.map((b, i) => (
        <rect
          key={i}
          className={`cell-box is-${b.source}`}
          x={b.x * image.width}
          y={b.y * image.height}
          width={b.w * image.width}
          height={b.h * image.height}
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </svg>
  )
}

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
