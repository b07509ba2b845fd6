// The photo grid: rows of fixed-size cells, virtualised, so 100,000 photos cost no more than the few dozen on screen.
// Pages of summaries are requested as their rows come into view; arrow keys move a focus ring through the grid, and
// Enter opens the focused photo in Review. Clicks select (selection.ts): the selection itself is the page's, as the
// Kindle panel uses it; the grid only asks for changes and marks the selected cells it draws.
import { useVirtualizer } from '@tanstack/react-virtual'
import { type KeyboardEvent, useCallback, useEffect, useId, useRef, useState, useSyncExternalStore } from 'react'
import { Icon } from '../../components/Icon'
import type { ImagePages, ImageQuery } from './imagePages'
import type { PickMode } from './selection'
import { PlaceholderCell, ThumbnailCell } from './ThumbnailCell'
import { openInReview } from './openInReview'
import { useElementSize } from './useElementSize'

// Must agree with --cell-size, --cell-caption and --grid-gap in library.css.
const CELL = 160
const CAPTION = 40
const GAP = 14
const ROW_HEIGHT = CELL + CAPTION + GAP
const PADDING = 20

export interface ThumbnailGridProps {
  id: string
  pages: ImagePages
  query: ImageQuery
  total: number
  emptyText: string
  selected: ReadonlySet<number>
  onPick(index: number, id: number, mode: PickMode): void
  onSelectAll(): void
  onClearSelection(): void
}

export function ThumbnailGrid(props: ThumbnailGridProps) {
  const { id, pages, query, total, emptyText, selected, onPick: onSelect, onSelectAll, onClearSelection } = props
  const scrollRef = useRef<HTMLDivElement>(null)
  const size = useElementSize(scrollRef)
  const columns = Math.max(1, Math.floor((size.width + GAP) / (CELL + GAP)))
  const rowCount = Math.ceil(total / columns)
  const version = useSyncExternalStore(pages.subscribe, pages.getVersion)
  const cellId = useId()
  const [focus, setFocus] = useState(0)
  const focused = Math.min(focus, total - 1)

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 3,
    paddingStart: PADDING,
    paddingEnd: PADDING,
    scrollPaddingStart: PADDING,
    scrollPaddingEnd: PADDING,
  })
  const rows = virtualizer.getVirtualItems()
  const firstRow = rows[0]?.index ?? 0
  const lastRow = rows.at(-1)?.index ?? -1

  useEffect(() => {
    if (lastRow < 0 || total === 0) return
    pages.ensure(query, firstRow * columns, Math.min(total, (lastRow + 1) * columns) - 1)
  }, [pages, query, firstRow, lastRow, columns, total, version])

  // A click focuses the photo too, so the keys go on from where the pointer was.
  const onPick = useCallback(
    (index: number, imageId: number, mode: PickMode) => {
      setFocus(index)
      onSelect(index, imageId, mode)
    },
    [onSelect],
  )

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
      e.preventDefault() // not the page's text
      onSelectAll()
      return
    }
    if (e.key === 'Escape' && selected.size > 0) {
      e.preventDefault()
      onClearSelection()
      return
    }
    if (e.key === 'Enter' && total > 0) {
      const image = pages.item(query, focused)
      if (image) {
        e.preventDefault()
        openInReview(image.id)
      }
      return
    }
    const rowsInView = Math.max(1, Math.floor(size.height / ROW_HEIGHT))
    const steps: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -columns,
      ArrowDown: columns,
      PageUp: -columns * rowsInView,
      PageDown: columns * rowsInView,
      Home: -total,
      End: total,
    }
    const step = steps[e.key]
    if (step === undefined || total === 0 || e.altKey || e.metaKey) return
    e.preventDefault()
    const next = Math.max(0, Math.min(total - 1, focused + step))
    setFocus(next)
    virtualizer.scrollToIndex(Math.floor(next / columns), { align: 'auto' })
  }

  return (
    <div
      id={id}
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label="Photos"
      aria-multiselectable="true"
      aria-rowcount={rowCount}
      aria-colcount={columns}
      aria-activedescendant={total > 0 ? `${cellId}-${focused}` : undefined}
      tabIndex={total > 0 ? 0 : undefined}
      onKeyDown={onKeyDown}
    >
      {total === 0 ? (
        <div className="grid-empty">
          <Icon name="import" size={28} />
          <p>{emptyText}</p>
        </div>
      ) : (
        <div className="grid-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {rows.map((row) => {
            const first = row.index * columns
            const cells = []
            for (let index = first; index < Math.min(total, first + columns); index++) {
              const image = pages.item(query, index)
              cells.push(
                image ? (
                  <ThumbnailCell
                    key={`${index}:${image.id}`}
                    image={image}
                    index={index}
                    id={`${cellId}-${index}`}
                    focused={index === focused}
                    selected={selected.has(image.id)}
                    onPick={onPick}
                  />
                ) : (
                  <PlaceholderCell key={`loading-${index}`} />
                ),
              )
            }
            return (
              <div
                key={row.key}
                role="row"
                aria-rowindex={row.index + 1}
                className="grid-row"
                style={{
                  transform: `translateY(${row.start}px)`,
                  gridTemplateColumns: `repeat(${columns}, ${CELL}px)`,
                }}
              >
                {cells}
              </div>
            )
          })}
        </div>
      )}
    </div>
  )
}
