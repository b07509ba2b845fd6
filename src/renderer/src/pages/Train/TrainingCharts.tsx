// The selected run's curves, with uPlot as the Devices page's latency chart: training losses per step (total,
// classification, box — each raw and faint, and smoothed on top) and the evaluations on val per epoch (AP50, AP,
// recall). Each chart is created once per shape and fed with setData as the history grows, so a run with tens of
// thousands of steps stays smooth.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { RunEval } from '../../../../shared/api'
import { useElementSize } from '../Library/useElementSize'
import { LOSS_SERIES, type LossSeries, type RunHistory } from './runHistory'

const AXIS = { stroke: '#9ba3b0', grid: { stroke: '#242932' }, ticks: { stroke: '#242932' } }
const HEIGHT = 220

const LOSS_COLOUR: Record<LossSeries, string> = { loss: '#f08a3c', classification: '#6aa8ff', box: '#4fc38c' }
const LOSS_LABEL: Record<LossSeries, string> = { loss: 'total', classification: 'classification', box: 'box' }

const EVAL_SERIES = [
  { key: 'ap50', label: 'AP50', colour: '#f08a3c' },
  { key: 'ap', label: 'AP 50:95', colour: '#e9b44c' },
  { key: 'recall', label: 'recall', colour: '#6aa8ff' },
] as const

/** Before the run's history arrives: one array, so the chart's effect does not run again on every render. */
const NO_EVALS: readonly RunEval[] = []

/** Follows its container's width (uPlot draws at a fixed size). */
function useChartWidth() {
  const box = useRef<HTMLDivElement>(null)
  const { width } = useElementSize(box)
  return { box, width: Math.max(280, Math.floor(width)) }
}

export interface LossChartProps {
  history: RunHistory | null
  /** Changes whenever `history` did. */
  version: number
  /** A log-like y axis (asinh: log above ~0.001, and a zero loss still has a place), for losses that fall by decades. */
  logScale: boolean
}

export function LossChart({ history, version, logScale }: LossChartProps) {
  const { box, width } = useChartWidth()
  const plotBox = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)

  useEffect(() => {
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: false }, y: logScale ? { distr: 4, asinh: 0.001 } : {} },
      axes: [
        { ...AXIS, label: 'step' },
        { ...AXIS, label: 'loss' },
      ],
      series: [
        {},
        // Raw values first and faint, so the smoothed lines are drawn over them.
        ...LOSS_SERIES.map((name) => ({
          label: `${LOSS_LABEL[name]} (raw)`,
          stroke: `${LOSS_COLOUR[name]}40`,
          width: 1,
          points: { show: false },
        })),
        ...LOSS_SERIES.map((name) => ({
          label: LOSS_LABEL[name],
          stroke: LOSS_COLOUR[name],
          width: 1.75,
          points: { show: false },
        })),
      ],
    }
    chart.current = new uPlot(options, [[], [], [], [], [], [], []], plotBox.current!)
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
  }, [width, logScale])

  useEffect(() => {
    if (!chart.current) return
    if (!history) return chart.current.setData([[], [], [], [], [], [], []])
    chart.current.setData([
      history.stepsView(),
      ...LOSS_SERIES.map((name) => history.rawView(name)),
      ...LOSS_SERIES.map((name) => history.smoothView(name)),
    ])
    // `width` and `logScale` re-create the chart empty: it is filled again here.
  }, [history, version, width, logScale])

  const points = history?.length ?? 0
  return (
    <figure className="train-chart" aria-label="Training loss per step">
      <figcaption className="train-chart-head">
        <span className="train-chart-title">Training loss</span>
        <Legend
          items={LOSS_SERIES.map((name) => ({
            label: LOSS_LABEL[name],
            colour: LOSS_COLOUR[name],
            value: history ? history.latestSmooth(name) : Number.NaN,
          }))}
        />
      </figcaption>
      <div ref={box} className="train-chart-plot">
        <div ref={plotBox} data-testid="loss-chart" data-points={points} />
        {points === 0 && <p className="train-chart-empty">No steps yet</p>}
      </div>
    </figure>
  )
}

export interface EvalChartProps {
  history: RunHistory | null
  version: number
}

export function EvalChart({ history, version }: EvalChartProps) {
  const { box, width } = useChartWidth()
  const plotBox = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)

  useEffect(() => {
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [
        { ...AXIS, label: 'epoch' },
        { ...AXIS, label: 'val' },
      ],
      series: [
        {},
        ...EVAL_SERIES.map(({ label, colour }) => ({
          label,
          stroke: colour,
          width: 1.75,
          // Evaluations are few (one an epoch or fewer): each is marked.
          points: { show: true, size: 6, fill: colour },
        })),
      ],
    }
    chart.current = new uPlot(options, [[], [], [], []], plotBox.current!)
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
  }, [width])

  const evals = history?.evals ?? NO_EVALS
  useEffect(() => {
    chart.current?.setData([evals.map((e) => e.epoch), ...EVAL_SERIES.map(({ key }) => evals.map((e) => e[key]))])
    // `evals` is a new array whenever an evaluation is added; `version` says so too.
  }, [evals, version, width])

  const last = evals.at(-1)
  return (
    <figure className="train-chart" aria-label="Evaluation on val per epoch">
      <figcaption className="train-chart-head">
        <span className="train-chart-title">Evaluation on val</span>
        <Legend items={EVAL_SERIES.map(({ key, label, colour }) => ({ label, colour, value: last ? last[key] : Number.NaN }))} />
      </figcaption>
      <div ref={box} className="train-chart-plot">
        <div ref={plotBox} data-testid="eval-chart" data-points={evals.length} />
        {evals.length === 0 && <p className="train-chart-empty">No evaluation yet</p>}
      </div>
    </figure>
  )
}

/** The series' colours and latest values, in text: the canvas itself says nothing to a screen reader. */
function Legend({ items }: { items: { label: string; colour: string; value: number }[] }) {
  return (
    <ul className="train-legend">
      {items.map(({ label, colour, value }) => (
        <li key={label}>
          <span className="train-swatch" style={{ background: colour }} aria-hidden="true" />
          {label} <span className="mono">{Number.isFinite(value) ? formatMetric(value) : '–'}</span>
        </li>
      ))}
    </ul>
  )
}

/** Three significant figures: losses run from tens down to thousandths. */
const formatMetric = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3))
