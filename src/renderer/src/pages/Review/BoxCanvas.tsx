// The photo, large, with its boxes drawn over it. The SVG overlay has the photo's own pixel grid as its viewBox, so
// boxes are drawn in image pixels as stored, and a pointer position becomes image pixels through the displayed size
// (the browser shows the photo EXIF-rotated, the same frame as images.width/height).
import { type PointerEvent as ReactPointerEvent, useRef, useState } from 'react'
import type { ClassInfo, ReviewBox } from '../../../../shared/api'
import { corner, fit, type Handle, HANDLES, MIN_BOX, moved, type Rect, resized, rounded, sameRect, spanned, toImage } from './geometry'
import { useElementSize } from '../Library/useElementSize'

export interface BoxCanvasProps {
  photoUrl: string | null
  width: number
  height: number
  boxes: ReviewBox[]
  classes: ClassInfo[]
  selected: number | null
  hidden: boolean
  onSelect(id: number | null): void
  onDraw(rect: Rect): void
  onChange(id: number, rect: Rect): void
}

type Drag =
  | { kind: 'draw'; from: { x: number; y: number }; rect: Rect }
  | { kind: 'move'; id: number; from: { x: number; y: number }; start: Rect; rect: Rect }
  | { kind: 'resize'; id: number; handle: Handle; start: Rect; rect: Rect }

const HANDLE_PX = 9

export function BoxCanvas(props: BoxCanvasProps) {
  const { width, height, boxes, classes, selected } = props
  const areaRef = useRef<HTMLDivElement>(null)
  const svgRef = useRef<SVGSVGElement>(null)
  const area = useElementSize(areaRef)
  const shown = fit({ width, height }, { width: Math.max(1, area.width), height: Math.max(1, area.height) })
  const [drag, setDrag] = useState<Drag | null>(null)
  const image = { width, height }
  const unit = 1 / shown.scale // one screen pixel, in image pixels

  const pointer = (e: ReactPointerEvent) => {
    const r = svgRef.current!.getBoundingClientRect()
    return toImage({ x: e.clientX - r.left, y: e.clientY - r.top }, { width: r.width, height: r.height }, image)
  }

  const begin = (e: ReactPointerEvent, next: Drag) => {
    if (e.button !== 0) return
    e.stopPropagation()
    // No text selection or native drag-and-drop from this press: Chromium would start one and cancel the pointer.
    e.preventDefault()
    svgRef.current!.setPointerCapture(e.pointerId)
    setDrag(next)
  }

  const onPointerMove = (e: ReactPointerEvent) => {
    if (!drag) return
    const p = pointer(e)
    if (drag.kind === 'draw') setDrag({ ...drag, rect: spanned(drag.from, p) })
    else if (drag.kind === 'move') setDrag({ ...drag, rect: moved(drag.start, p.x - drag.from.x, p.y - drag.from.y, image) })
    else setDrag({ ...drag, rect: resized(drag.start, drag.handle, p) })
  }

  const onPointerUp = () => {
    if (!drag) return
    setDrag(null)
    if (drag.kind === 'draw') {
      if (drag.rect.w >= MIN_BOX && drag.rect.h >= MIN_BOX) props.onDraw(rounded(drag.rect, image))
      else props.onSelect(null) // a click on the photo clears the selection
      return
    }
    const rect = rounded(drag.rect, image)
    if (!sameRect(rect, rounded(drag.start, image))) props.onChange(drag.id, rect)
  }

  const classOf = (id: number) => classes.find((c) => c.id === id)
  const live = (b: ReviewBox): Rect => (drag && drag.kind !== 'draw' && drag.id === b.id ? drag.rect : b)

  return (
    <div className="review-canvas" ref={areaRef}>
      <div
        className="review-stage"
        style={{ left: shown.left, top: shown.top, width: shown.width, height: shown.height }}
        data-testid="review-stage"
      >
        {props.photoUrl ? (
          <img className="review-photo" src={props.photoUrl} alt="" draggable={false} data-testid="review-photo" />
        ) : (
          <div className="review-photo-missing">This window cannot load full photos yet.</div>
        )}
        <svg
          ref={svgRef}
          className={`review-overlay${props.hidden ? ' is-hidden' : ''}`}
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          onPointerDown={(e) => {
            const p = pointer(e)
            begin(e, { kind: 'draw', from: p, rect: { ...p, w: 0, h: 0 } })
          }}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDrag(null)}
          data-testid="review-overlay"
        >
          {boxes.map((b) => {
            const r = live(b)
            const cls = classOf(b.classId)
            const smiling = (b.attributes.smiling as { value?: unknown } | undefined)?.value === true
            const isSelected = b.id === selected
            return (
              <g
                key={b.id}
                className={`review-box is-${b.source}${isSelected ? ' is-selected' : ''}`}
                style={{ color: cls?.color ?? '#ffffff' }}
                data-testid="review-box"
                data-box-id={b.id}
                data-class={cls?.name}
                data-source={b.source}
                data-smiling={smiling ? 'true' : 'false'}
                data-rect={`${r.x},${r.y},${r.w},${r.h}`}
              >
                <rect
                  x={r.x}
                  y={r.y}
                  width={r.w}
                  height={r.h}
                  vectorEffect="non-scaling-stroke"
                  onPointerDown={(e) => {
                    props.onSelect(b.id)
                    begin(e, { kind: 'move', id: b.id, from: pointer(e), start: b, rect: b })
                  }}
                />
                <text x={r.x} y={Math.max(r.y - 4 * unit, 11 * unit)} fontSize={11 * unit}>
                  {label(cls?.name, b, smiling)}
                </text>
                {isSelected &&
                  HANDLES.map((h) => {
                    const c = corner(r, h)
                    const s = HANDLE_PX * unit
                    return (
                      <rect
                        key={h}
                        className={`review-handle is-${h}`}
                        data-testid={`handle-${h}`}
                        x={c.x - s / 2}
                        y={c.y - s / 2}
                        width={s}
                        height={s}
                        vectorEffect="non-scaling-stroke"
                        onPointerDown={(e) => begin(e, { kind: 'resize', id: b.id, handle: h, start: b, rect: b })}
                      />
                    )
                  })}
              </g>
            )
          })}
          {drag?.kind === 'draw' && (
            <rect
              className="review-drawing"
              x={drag.rect.x}
              y={drag.rect.y}
              width={drag.rect.w}
              height={drag.rect.h}
              vectorEffect="non-scaling-stroke"
            />
          )}
        </svg>
      </div>
    </div>
  )
}

/** "face · kindled 0.82 · smiling": the class, where the box came from, and the model's confidence when it has one. */
function label(className: string | undefined, b: ReviewBox, smiling: boolean): string {
  const parts = [className ?? `class ${b.classId}`, b.score !== null && b.source !== 'human' ? `${b.source} ${b.score.toFixed(2)}` : b.source]
  if (smiling) parts.push('smiling')
  return parts.join(' · ')
}
