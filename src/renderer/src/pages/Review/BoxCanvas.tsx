// The photo, large, with its boxes drawn over it. The SVG overlay has the photo's own pixel grid as its viewBox, so
// boxes are drawn in image pixels as stored, and a pointer position becomes image pixels through the displayed size
// (the browser shows the photo EXIF-rotated, the same frame as images.width/height). Zoom and pan only move and scale
// the stage (photo and overlay together), so that mapping holds at any zoom.
import { forwardRef, type PointerEvent as ReactPointerEvent, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react'
import type { ClassInfo, ReviewBox } from '../../../../shared/api'
import {
  corner,
  fit,
  type Handle,
  HANDLES,
  MIN_BOX,
  moved,
  type Rect,
  resized,
  rounded,
  sameRect,
  spanned,
  toImage,
  type View,
  zoomedAt,
  zoomedTo,
} from './geometry'
import { useElementSize } from '../Library/useElementSize'
import { labelChip, sourceStyle } from './boxStyle'

/** The class colour's square at the start of a label chip, in screen pixels (and the gap after it). */
const SWATCH_PX = 9
const SWATCH_GAP_PX = 4

/** What the page's keys do to the view. */
export interface BoxCanvasHandle {
  fit(): void
  zoomBy(factor: number): void
  zoomTo(box: Rect): void
  /** Whether the view is zoomed in past the fitted photo. */
  zoomed(): boolean
}

export interface BoxCanvasProps {
  imageId: number
  photoUrl: string | null
  width: number
  height: number
  boxes: ReviewBox[]
  classes: ClassInfo[]
  selected: number | null
  hidden: boolean
  /** Space is held: a left drag pans instead of drawing. */
  panMode: boolean
  onSelect(id: number | null): void
  onDraw(rect: Rect): void
  onChange(id: number, rect: Rect): void
  /** A model's box from the Evaluate page, drawn over the photo and not editable (evalMark.ts). */
  mark?: { rect: Rect; text: string } | null
}

type Drag =
  | { kind: 'draw'; from: { x: number; y: number }; rect: Rect }
  | { kind: 'move'; id: number; from: { x: number; y: number }; start: Rect; rect: Rect }
  | { kind: 'resize'; id: number; handle: Handle; start: Rect; rect: Rect }

const HANDLE_PX = 9
const WHEEL_STEP = 1.15 // per notch (100 px of wheel delta)

export const BoxCanvas = forwardRef<BoxCanvasHandle, BoxCanvasProps>(function BoxCanvas(props, ref) {
  const { width, height, boxes, classes, selected, imageId } = props
  const areaRef = useRef<HTMLDivElement>(null)
  const stageRef = useRef<HTMLDivElement>(null)
  const svgRef = useRef<SVGSVGElement>(null)
  const area = useElementSize(areaRef)
  const areaSize = { width: Math.max(1, area.width), height: Math.max(1, area.height) }
  const fitted = fit({ width, height }, areaSize)
  // The zoomed view belongs to one photo: the next photo opens fitted.
  const [zoom, setZoom] = useState<{ imageId: number; view: View } | null>(null)
  const view: View = zoom?.imageId === imageId ? zoom.view : fitted
  const shown = { scale: view.scale, left: view.left, top: view.top, width: width * view.scale, height: height * view.scale }
  const [drag, setDrag] = useState<Drag | null>(null)
  const [pan, setPan] = useState<{ from: { x: number; y: number }; start: View } | null>(null)
  const image = { width, height }
  const unit = 1 / shown.scale // one screen pixel, in image pixels

  const setView = (v: View | null) => setZoom(v && { imageId, view: v })
  const latest = useRef({ view, fitted, imageId, areaSize })
  latest.current = { view, fitted, imageId, areaSize }
  useImperativeHandle(
    ref,
    () => ({
      fit: () => setZoom(null),
      zoomBy: (factor) => {
        const { view: v, fitted: f, imageId: id, areaSize: a } = latest.current
        setZoom({ imageId: id, view: zoomedAt(v, factor, { x: a.width / 2, y: a.height / 2 }, f.scale) })
      },
      zoomTo: (box) => {
        const { fitted: f, imageId: id, areaSize: a } = latest.current
        setZoom({ imageId: id, view: zoomedTo(box, a, f.scale) })
      },
      zoomed: () => latest.current.view.scale > latest.current.fitted.scale * 1.001,
    }),
    [],
  )

  // Wheel zoom around the pointer. A native listener: React's wheel handler is passive and cannot stop the page (or
  // Ctrl+wheel, the browser's own zoom) from acting on the same wheel.
  useEffect(() => {
    const el = areaRef.current
    if (!el) return
    const onWheel = (e: WheelEvent) => {
      e.preventDefault()
      const r = el.getBoundingClientRect()
      const { view: v, fitted: f, imageId: id } = latest.current
      const notches = -e.deltaY / (e.deltaMode === 1 ? 3 : 100)
      setZoom({ imageId: id, view: zoomedAt(v, WHEEL_STEP ** notches, { x: e.clientX - r.left, y: e.clientY - r.top }, f.scale) })
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [])

  // "Drawn": the photo decoded and its boxes rendered, marked on the frame that paints them (the review bench times
  // up to here). A photo fetched ahead is complete as soon as its element is committed (the browser's memory cache),
  // so this is checked right after the commit and not only when the load event comes a task later.
  const imgRef = useRef<HTMLImageElement>(null)
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null)
  const drawnFor = useRef<number | null>(null)
  useLayoutEffect(() => {
    const img = imgRef.current
    const ready = props.photoUrl !== null && (loadedUrl === props.photoUrl || (img !== null && img.complete && img.naturalWidth > 0))
    if (!ready || drawnFor.current === imageId) return // once per photo: a background reload redraws nothing new
    drawnFor.current = imageId
    let fired = false
    const frame = requestAnimationFrame(() => {
      fired = true
      if (stageRef.current) stageRef.current.dataset.drawn = String(imageId)
      performance.mark('review:drawn', { detail: imageId })
    })
    return () => {
      if (fired) return
      cancelAnimationFrame(frame)
      drawnFor.current = null
    }
  }, [loadedUrl, props.photoUrl, imageId])

  // Pan: a middle-button drag, or a left drag while Space is held, anywhere on the canvas (before a box sees it).
  const onPanStart = (e: ReactPointerEvent) => {
    if (!(e.button === 1 || (e.button === 0 && props.panMode))) return
    e.stopPropagation()
    e.preventDefault()
    areaRef.current!.setPointerCapture(e.pointerId)
    setPan({ from: { x: e.clientX, y: e.clientY }, start: view })
  }
  const onPanMove = (e: ReactPointerEvent) => {
    if (!pan) return
    setView({ ...pan.start, left: pan.start.left + e.clientX - pan.from.x, top: pan.start.top + e.clientY - pan.from.y })
  }

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
    <div
      className={`review-canvas${props.panMode || pan ? ' is-panning' : ''}`}
      ref={areaRef}
      onPointerDownCapture={onPanStart}
      onPointerMove={onPanMove}
      onPointerUp={() => setPan(null)}
      onPointerCancel={() => setPan(null)}
      onAuxClick={(e) => e.preventDefault()}
      data-testid="review-canvas"
      data-zoom={(shown.scale / fitted.scale).toFixed(3)}
    >
      <div
        className="review-stage"
        ref={stageRef}
        style={{ left: shown.left, top: shown.top, width: shown.width, height: shown.height }}
        data-testid="review-stage"
      >
        {props.photoUrl ? (
          <img
            key={props.photoUrl}
            ref={imgRef}
            className="review-photo"
            src={props.photoUrl}
            alt=""
            draggable={false}
            data-testid="review-photo"
            onLoad={() => setLoadedUrl(props.photoUrl)}
          />
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
            const style = sourceStyle(b.source)
            const text = label(cls?.name, b, smiling)
            const chip = labelChip(r, text, unit, width, SWATCH_PX + SWATCH_GAP_PX)
            return (
              <g
                key={b.id}
                className={`review-box is-${b.source}${isSelected ? ' is-selected' : ''}`}
                style={{ color: style.colour }}
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
                <g className={`review-label${chip.outside ? '' : ' is-inside'}`} data-testid="review-label">
                  <rect className="review-label-chip" x={chip.x} y={chip.y} width={chip.w} height={chip.h} rx={3 * unit} />
                  <rect
                    className="review-label-swatch"
                    x={chip.x + 5 * unit}
                    y={chip.y + (chip.h - SWATCH_PX * unit) / 2}
                    width={SWATCH_PX * unit}
                    height={SWATCH_PX * unit}
                    style={{ fill: cls?.color ?? '#ffffff' }}
                    vectorEffect="non-scaling-stroke"
                  />
                  <text x={chip.textX} y={chip.textY} fontSize={chip.fontSize} style={{ fill: style.text }}>
                    {text}
                  </text>
                </g>
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
          {props.mark && <MarkBox {...props.mark} unit={unit} imageWidth={width} />}
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
})

/** The Evaluate page's box: the predicted style, no handles, and clicks pass through to the photo and the labels. */
function MarkBox({ rect: r, text, unit, imageWidth }: { rect: Rect; text: string; unit: number; imageWidth: number }) {
  const style = sourceStyle('predicted')
  const chip = labelChip(r, text, unit, imageWidth)
  return (
    <g
      className="review-box review-mark"
      style={{ color: style.colour }}
      pointerEvents="none"
      data-testid="review-mark"
      data-rect={`${r.x},${r.y},${r.w},${r.h}`}
    >
      <rect x={r.x} y={r.y} width={r.w} height={r.h} vectorEffect="non-scaling-stroke" />
      <g className={`review-label${chip.outside ? '' : ' is-inside'}`}>
        <rect className="review-label-chip" x={chip.x} y={chip.y} width={chip.w} height={chip.h} rx={3 * unit} />
        <text x={chip.textX} y={chip.textY} fontSize={chip.fontSize} style={{ fill: style.text }}>
          {text}
        </text>
      </g>
    </g>
  )
}

/** "face · kindled 0.82 · smiling": the class, where the box came from, and the model's confidence when it has one. */
function label(className: string | undefined, b: ReviewBox, smiling: boolean): string {
  const parts = [className ?? `class ${b.classId}`, b.score !== null && b.source !== 'human' ? `${b.source} ${b.score.toFixed(2)}` : b.source]
  if (smiling) parts.push('smiling')
  return parts.join(' · ')
}
