// The mistakes at the chosen threshold, as pictures: false alarms (the model's boxes over no label, most confident
// first) and misses (labels no kept box found, largest first), each a crop of its photo with the prediction and the
// label drawn in their own colours. A virtualised grid, as the Library's: pages of `evaluations.errors` load as their
// rows scroll into view. A click (or Enter) opens the photo in Review with the model's box shown over it, to fix the
// label there.
import { useVirtualizer } from '@tanstack/react-virtual'
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react'
import type { EvalError, EvalErrorKind } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { formatCount } from '../../format'
import { useElementSize } from '../Library/useElementSize'
import { sourceStyle } from '../Review/boxStyle'
import { reviewMarkHash } from '../Review/evalMark'
import { cropView, type PixelRect } from './crop'
import type { ErrorPages } from './useErrorPages'

// Must agree with .eval-error-cell in evaluate.css.
const CELL = 150
const CAPTION = 38
const GAP = 12
const ROW_HEIGHT = CELL + CAPTION + GAP
const PADDING = 12

/** The model's boxes and the labels, in the colours the Review page gives predicted and human boxes. */
const PREDICTION_STYLE = sourceStyle('predicted')
const LABEL_STYLE = sourceStyle('human')

export interface ErrorBrowserProps {
  kind: EvalErrorKind
  onKind(kind: EvalErrorKind): void
  /** How many of each there are at the threshold (the page's own count, before the list answers). */
  counts: Record<EvalErrorKind, number>
  pages: ErrorPages
  classNames: string[]
  classIndex: number | null
  onClassIndex(classIndex: number | null): void
}

const TABS: { kind: EvalErrorKind; label: string }[] = [
  { kind: 'false-alarm', label: 'False alarms' },
  { kind: 'miss', label: 'Misses' },
]

export function ErrorBrowser({ kind, onKind, counts, pages, classNames, classIndex, onClassIndex }: ErrorBrowserProps) {
  const tabsId = useId()
  return (
    <section className="eval-errors" aria-label="Mistakes at this threshold" data-testid="eval-errors">
      <div className="eval-errors-head">
        <div className="tabs" role="tablist" aria-label="Which mistakes">
          {TABS.map((t) => (
            <button
              key={t.kind}
              type="button"
              role="tab"
              id={`${tabsId}-${t.kind}`}
              aria-selected={kind === t.kind}
              aria-controls={`${tabsId}-panel`}
              className="tab"
              onClick={() => onKind(t.kind)}
              data-testid={`eval-errors-tab-${t.kind}`}
            >
              {t.label} <span className="tab-count">{formatCount(counts[t.kind])}</span>
            </button>
          ))}
        </div>
        {classNames.length > 1 && (
          <label className="eval-inline">
            Class
            <select
              className="select"
              value={classIndex ?? ''}
              onChange={(e) => onClassIndex(e.target.value ? Number(e.target.value) : null)}
              data-testid="eval-errors-class"
            >
              <option value="">every class</option>
              {classNames.map((name, i) => (
                <option key={name} value={i + 1}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="spacer" />
        <ul className="eval-key" aria-label="Colours">
          <li>
            <KeyLine colour={PREDICTION_STYLE.colour} dash="2 3" />
            the model's box
          </li>
          <li>
            <KeyLine colour={LABEL_STYLE.colour} dash="" />
            the label
          </li>
        </ul>
      </div>
      <p className="muted eval-errors-hint">
        {kind === 'false-alarm'
          ? 'Boxes the model drew where no label is, most confident first. A face there that nobody labelled is a label to add, not a mistake.'
          : 'Labels the model did not find, largest first. A label on something that is not a face, or a box far off the face, is a label to fix.'}{' '}
        Click one to open it in Review.
      </p>
      {pages.error && (
        <p className="form-error" role="alert">
          Could not load the mistakes: {pages.error}
        </p>
      )}
      <ErrorGrid id={`${tabsId}-panel`} labelledBy={`${tabsId}-${kind}`} kind={kind} pages={pages} classNames={classNames} />
    </section>
  )
}

function ErrorGrid({
  id,
  labelledBy,
  kind,
  pages,
  classNames,
}: {
  id: string
  labelledBy: string
  kind: EvalErrorKind
  pages: ErrorPages
  classNames: string[]
}) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const size = useElementSize(scrollRef)
  const columns = Math.max(1, Math.floor((size.width + GAP) / (CELL + GAP)))
  const total = pages.total ?? 0
  const rowCount = Math.ceil(total / columns)
  const cellId = useId()
  const [focus, setFocus] = useState(0)
  const focused = Math.min(focus, Math.max(0, total - 1))

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 2,
    paddingStart: PADDING,
    paddingEnd: PADDING,
  })
  const rows = virtualizer.getVirtualItems()
  const firstRow = rows[0]?.index ?? 0
  const lastRow = rows.at(-1)?.index ?? -1
  const { ensure } = pages
  useEffect(() => {
    if (lastRow >= 0 && total > 0) ensure(firstRow * columns, Math.min(total, (lastRow + 1) * columns) - 1)
  }, [ensure, firstRow, lastRow, columns, total])

  const open = (e: EvalError) => {
    location.hash = reviewMarkHash(e, classNames)
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && total > 0) {
      const item = pages.item(focused)
      if (item) {
        e.preventDefault()
        open(item)
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
    if (step === undefined || total === 0) return
    e.preventDefault()
    const next = Math.max(0, Math.min(total - 1, focused + step))
    setFocus(next)
    virtualizer.scrollToIndex(Math.floor(next / columns), { align: 'auto' })
  }

  return (
    <div
      id={id}
      ref={scrollRef}
      className="eval-error-scroll"
      role="grid"
      aria-labelledby={labelledBy}
      aria-rowcount={rowCount}
      aria-colcount={columns}
      aria-activedescendant={total > 0 ? `${cellId}-${focused}` : undefined}
      tabIndex={total > 0 ? 0 : undefined}
      onKeyDown={onKeyDown}
      data-testid="eval-error-grid"
      data-total={pages.total ?? ''}
    >
      {pages.total === null ? (
        <p className="eval-error-empty muted">Loading…</p>
      ) : total === 0 ? (
        <p className="eval-error-empty muted" data-testid="eval-errors-none">
          {kind === 'false-alarm' ? 'No false alarms at this threshold.' : 'No misses at this threshold: every label is found.'}
        </p>
      ) : (
        <div className="eval-error-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {rows.map((row) => {
            const cells = []
            for (let index = row.index * columns; index < Math.min(total, (row.index + 1) * columns); index++) {
              const item = pages.item(index)
              cells.push(
                item ? (
                  <ErrorCell
                    key={`${index}:${item.image.id}:${item.box.x},${item.box.y}`}
                    id={`${cellId}-${index}`}
                    error={item}
                    focused={index === focused}
                    onOpen={() => {
                      setFocus(index)
                      open(item)
                    }}
                  />
                ) : (
                  <div key={`loading-${index}`} className="eval-error-cell is-loading" role="gridcell" aria-busy="true" />
                ),
              )
            }
            return (
              <div
                key={row.key}
                role="row"
                aria-rowindex={row.index + 1}
                className="eval-error-row"
                style={{ transform: `translateY(${row.start}px)`, gridTemplateColumns: `repeat(${columns}, ${CELL}px)` }}
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

function ErrorCell({ id, error, focused, onOpen }: { id: string; error: EvalError; focused: boolean; onOpen(): void }) {
  const studio = useStudio()
  const { image, box, nearest } = error
  const view = cropView(box, nearest, image, CELL)
  const url = studio.photoUrl ? studio.photoUrl(image) : studio.thumbnailUrl(image)
  // A false alarm is the model's box (the label it came near, if any, beside it); a miss is the label (with the
  // model's nearest box, if any).
  const prediction: PixelRect | null = error.kind === 'false-alarm' ? box : nearest
  const label: PixelRect | null = error.kind === 'miss' ? box : nearest
  const name = image.path.split(/[\\/]/).pop() ?? image.path
  const what = error.kind === 'false-alarm' ? `${error.className} ${error.score?.toFixed(2) ?? ''}` : `${error.className} missed · ${error.size}`
  const detail =
    error.kind === 'false-alarm'
      ? nearest
        ? `near a label, IoU ${nearest.iou.toFixed(2)}`
        : 'no label near'
      : nearest
        ? `model ${nearest.score?.toFixed(2) ?? '–'} · IoU ${nearest.iou.toFixed(2)}`
        : 'no box near'
  return (
    <div
      id={id}
      role="gridcell"
      className={`eval-error-cell${focused ? ' is-focused' : ''}`}
      title={`${name}: ${what}, ${detail}. Click to open it in Review.`}
      aria-label={`${name}: ${what}, ${detail}`}
      onClick={onOpen}
      data-testid="eval-error"
      data-kind={error.kind}
      data-image-id={image.id}
      data-score={error.score ?? ''}
      data-box-id={error.boxId ?? ''}
      data-nearest={nearest ? 'true' : 'false'}
    >
      <div className="eval-crop" style={{ width: CELL, height: CELL }}>
        <img
          src={url}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          style={{ left: -view.x * view.scale, top: -view.y * view.scale, width: image.width * view.scale, height: image.height * view.scale }}
        />
        <svg viewBox={`${view.x} ${view.y} ${view.w} ${view.h}`} preserveAspectRatio="none" aria-hidden="true">
          {label && (
            <rect {...rect(label)} className="eval-crop-label" style={{ stroke: LABEL_STYLE.colour }} vectorEffect="non-scaling-stroke" />
          )}
          {prediction && (
            <rect
              {...rect(prediction)}
              className="eval-crop-prediction"
              style={{ stroke: PREDICTION_STYLE.colour }}
              vectorEffect="non-scaling-stroke"
            />
          )}
        </svg>
      </div>
      <div className="eval-error-caption">
        <span className="eval-error-what">{what}</span>
        <span className="muted">{detail}</span>
      </div>
    </div>
  )
}

/** A line as the crops draw it: the colour and the dash (a cue that does not depend on colour). */
function KeyLine({ colour, dash }: { colour: string; dash: string }) {
  return (
    <svg width="20" height="4" aria-hidden="true">
      <line x1="0" y1="2" x2="20" y2="2" stroke={colour} strokeWidth="2" strokeDasharray={dash || undefined} />
    </svg>
  )
}

const rect = (r: PixelRect) => ({ x: r.x, y: r.y, width: r.w, height: r.h })
