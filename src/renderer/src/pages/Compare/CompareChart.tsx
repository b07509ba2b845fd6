// Accuracy against latency on one device: each measured detector run as a point (AP50 up, p50 right — logarithmic when
// the runs spread over a wide range), the front drawn as a staircase through its runs and those runs in the accent
// colour. uPlot draws the axes, the points and the staircase; each point also gets a transparent button laid over it,
// so a point can be hovered, focused with the keyboard and clicked like any control (and found by tests by its run).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { useElementSize } from '../Library/useElementSize'
import { ms, percent, runtimeText, wantsLogScale, type Placed } from './compareTable'

const HEIGHT = 320
const AXIS = { stroke: '#9ba3b0', grid: { stroke: '#242932' }, ticks: { stroke: '#242932' } }
const POINT = '#8d97a8'
const FRONT = '#f08a3c'

interface Spot {
  row: Placed
  left: number
  top: number
}

export interface CompareChartProps {
  rows: readonly Placed[]
  deviceLabel: string
  onOpen(runId: number): void
}

export function CompareChart({ rows, deviceLabel, onOpen }: CompareChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plotBox = useRef<HTMLDivElement>(null)
  const { width: boxWidth } = useElementSize(box)
  const width = Math.max(320, Math.floor(boxWidth))
  const [spots, setSpots] = useState<Spot[]>([])
  const [hovered, setHovered] = useState<number | null>(null)

  // Fastest first: uPlot's x values must be ascending.
  const sorted = useMemo(() => [...rows].sort((a, b) => a.latency.p50Ms - b.latency.p50Ms || a.runId - b.runId), [rows])
  const logScale = wantsLogScale(sorted.map((r) => r.latency.p50Ms))

  useLayoutEffect(() => {
    if (!plotBox.current || sorted.length === 0) return
    const xs = sorted.map((r) => r.latency.p50Ms)
    const maxX = Math.max(...xs)
    const minX = Math.min(...xs)
    const ys = sorted.map((r) => r.ap50)
    const place = (u: uPlot) => {
      const outer = box.current!.getBoundingClientRect()
      const over = u.over.getBoundingClientRect()
      setSpots(
        sorted.map((row) => ({
          row,
          left: over.left - outer.left + u.valToPos(row.latency.p50Ms, 'x'),
          top: over.top - outer.top + u.valToPos(row.ap50, 'y'),
        })),
      )
    }
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: logScale
          ? { time: false, distr: 3, log: 10, range: () => [minX / 1.6, maxX * 1.6] }
          : { time: false, range: () => [0, maxX * 1.15 || 1] },
        y: {
          range: () => [Math.max(0, Math.min(...ys) - 0.1), Math.min(1, Math.max(...ys) + 0.08)],
        },
      },
      axes: [
        {
          ...AXIS,
          label: `p50 latency on ${deviceLabel} (ms${logScale ? ', log scale' : ''})`,
          values: (_u, v) => v.map((x) => `${+x.toPrecision(3)}`),
        },
        { ...AXIS, label: 'AP50 on val', values: (_u, v) => v.map((y) => `${Math.round(y * 100)} %`), size: 56 },
      ],
      series: [
        {},
        {
          label: 'runs',
          stroke: POINT,
          paths: () => null,
          points: { show: true, size: 9, stroke: POINT, fill: POINT },
        },
        {
          label: 'front',
          stroke: FRONT,
          width: 1.5,
          spanGaps: true,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: true, size: 11, stroke: FRONT, fill: FRONT },
        },
      ],
      hooks: { draw: [place] },
    }
    const data: uPlot.AlignedData = [xs, sorted.map((r) => (r.onFront ? null : r.ap50)), sorted.map((r) => (r.onFront ? r.ap50 : null))]
    const chart = new uPlot(options, data, plotBox.current)
    return () => chart.destroy()
  }, [sorted, width, logScale, deviceLabel])

  // Gone from the chart (another device chosen): no tooltip left behind.
  useEffect(() => {
    if (hovered !== null && !sorted.some((r) => r.runId === hovered)) setHovered(null)
  }, [sorted, hovered])

  const tip = spots.find((s) => s.row.runId === hovered)
  return (
    <div ref={box} className="compare-chart" data-testid="compare-chart" data-points={sorted.length} data-log-scale={logScale}>
      <ul className="compare-legend" aria-label="Legend">
        <li>
          <span className="compare-swatch" style={{ background: POINT }} /> a run
        </li>
        <li>
          <span className="compare-swatch" style={{ background: FRONT }} /> on the front: nothing both more accurate and faster
        </li>
        <li>
          <span className="compare-step" style={{ borderColor: FRONT }} /> the front, fastest to most accurate
        </li>
      </ul>
      <div ref={plotBox} />
      {spots.map(({ row, left, top }) => (
        <button
          key={row.runId}
          type="button"
          className={`compare-point${row.onFront ? ' is-front' : ''}`}
          style={{ left, top }}
          aria-label={`${row.name}: AP50 ${percent(row.ap50)} at ${ms(row.latency.p50Ms)}${row.onFront ? ', on the front' : ''} — open the run`}
          data-testid={`compare-point-${row.runId}`}
          onMouseEnter={() => setHovered(row.runId)}
          onMouseLeave={() => setHovered(null)}
          onFocus={() => setHovered(row.runId)}
          onBlur={() => setHovered(null)}
          onClick={() => onOpen(row.runId)}
        />
      ))}
      {tip && (
        <div
          className={`compare-tip${tip.left > width / 2 ? ' is-left' : ''}`}
          style={{ left: tip.left, top: tip.top }}
          role="tooltip"
          data-testid="compare-tip"
        >
          <strong>{tip.row.name}</strong>
          <span>
            AP50 {percent(tip.row.ap50)} · AP {percent(tip.row.ap)} · recall {percent(tip.row.recall)}
          </span>
          <span>
            p50 {ms(tip.row.latency.p50Ms)}
            {tip.row.latency.p90Ms !== null && ` · p90 ${ms(tip.row.latency.p90Ms)}`} · {runtimeText(tip.row.latency)}
          </span>
          <span className="muted">
            {tip.row.preset}
            {tip.row.onFront ? ' · on the front' : ''}
          </span>
        </div>
      )}
    </div>
  )
}
