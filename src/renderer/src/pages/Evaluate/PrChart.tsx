// Precision against recall, one line per class (uPlot, as the Train page's charts), with a marker where the chosen
// threshold puts each class and a ring where F1 peaks. A click or a drag on the chart picks the nearest point of any
// curve and so its score: the threshold follows the pointer. The slider beside it does the same from the keyboard.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { useElementSize } from '../Library/useElementSize'
import { alignCurves, type DrawnCurve, nearestPoint } from './prChart'

const AXIS = { stroke: '#9ba3b0', grid: { stroke: '#242932' }, ticks: { stroke: '#242932' } }
const HEIGHT = 300

export interface PrSeries {
  name: string
  colour: string
  curve: DrawnCurve
  /** Where the chosen threshold puts this class (null: nothing kept). */
  at: { recall: number; precision: number } | null
  /** Where the F1-best threshold puts it. */
  best: { recall: number; precision: number } | null
}

export interface PrChartProps {
  series: PrSeries[]
  /** The score of the point nearest a click or drag. */
  onPick(score: number): void
}

export function PrChart({ series, onPick }: PrChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plotBox = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)
  const width = Math.max(280, Math.floor(useElementSize(box).width))
  // Read by the chart's hooks and pointer handlers, which are set up once per chart.
  const latest = useRef({ series, onPick })
  latest.current = { series, onPick }
  const shape = series.map((s) => `${s.name}:${s.colour}`).join('|')

  useEffect(() => {
    const shown = latest.current.series
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      legend: { show: false },
      // A click picks a threshold: no drag-to-zoom, and no cursor dots snapping to one series.
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1.02] } },
      axes: [
        { ...AXIS, label: 'recall' },
        { ...AXIS, label: 'precision' },
      ],
      series: [{}, ...shown.map(({ name, colour }) => ({ label: name, stroke: colour, width: 1.75, spanGaps: true, points: { show: false } }))],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx
            const dot = (recall: number, precision: number, colour: string, ring: boolean) => {
              const x = u.valToPos(recall, 'x', true)
              const y = u.valToPos(precision, 'y', true)
              ctx.beginPath()
              ctx.arc(x, y, (ring ? 8 : 5.5) * devicePixelRatio, 0, 2 * Math.PI)
              ctx.lineWidth = 2 * devicePixelRatio
              if (ring) {
                ctx.strokeStyle = '#e4e7ec'
                ctx.setLineDash([3 * devicePixelRatio, 2 * devicePixelRatio])
                ctx.stroke()
                ctx.setLineDash([])
              } else {
                ctx.fillStyle = colour
                ctx.strokeStyle = '#0f1115'
                ctx.fill()
                ctx.stroke()
              }
            }
            ctx.save()
            for (const s of latest.current.series) if (s.best) dot(s.best.recall, s.best.precision, s.colour, true)
            for (const s of latest.current.series) if (s.at) dot(s.at.recall, s.at.precision, s.colour, false)
            ctx.restore()
          },
        ],
      },
    }
    const u = new uPlot(options, [[], ...shown.map(() => [])], plotBox.current!)
    chart.current = u

    let dragging = false
    const pick = (e: PointerEvent) => {
      const r = u.over.getBoundingClientRect()
      const curves = latest.current.series.map((s) => s.curve)
      const near = nearestPoint(curves, { x: e.clientX - r.left, y: e.clientY - r.top }, (recall, precision) => ({
        x: u.valToPos(recall, 'x'),
        y: u.valToPos(precision, 'y'),
      }))
      if (near) latest.current.onPick(near.score)
    }
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return
      dragging = true
      u.over.setPointerCapture(e.pointerId)
      pick(e)
    }
    const move = (e: PointerEvent) => dragging && pick(e)
    const up = () => (dragging = false)
    u.over.addEventListener('pointerdown', down)
    u.over.addEventListener('pointermove', move)
    u.over.addEventListener('pointerup', up)
    u.over.addEventListener('pointercancel', up)
    return () => {
      u.destroy()
      chart.current = null
    }
  }, [width, shape])

  useEffect(() => {
    const { x, ys } = alignCurves(series.map((s) => s.curve))
    chart.current?.setData([x, ...ys] as uPlot.AlignedData)
    // The markers move with every threshold: setData redraws, and the draw hook reads them from `latest`.
  }, [series, width, shape])

  const points = series.reduce((n, s) => n + s.curve.recall.length, 0)
  return (
    <figure className="train-chart eval-pr" aria-label="Precision against recall">
      <figcaption className="train-chart-head">
        <span className="train-chart-title">Precision–recall</span>
        <ul className="train-legend">
          {series.map((s) => (
            <li key={s.name}>
              <span className="train-swatch" style={{ background: s.colour }} aria-hidden="true" />
              {s.name}
            </li>
          ))}
          <li>
            <span className="eval-ring" aria-hidden="true" />
            best F1
          </li>
        </ul>
      </figcaption>
      <div ref={box} className="train-chart-plot eval-pr-plot" title="Click or drag along a curve to choose the threshold there">
        <div ref={plotBox} data-testid="pr-chart" data-points={points} />
        {points === 0 && <p className="train-chart-empty">No detections to draw</p>}
      </div>
    </figure>
  )
}
