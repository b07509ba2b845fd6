// The selected run's curves, with uPlot as the Devices page's latency chart: training losses per step (total,
// classification, box — each raw and faint, and smoothed on top; a classifier's loss is all classification, so only
// the total) and the evaluations on val per epoch (AP50, AP, recall; a classifier's accuracy and its tag class's
// precision and recall). Each chart is created once per shape and fed with setData as the history grows, so a run with tens of
// thousands of steps stays smooth.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { RunEval, RunTask } from '../../../../shared/api'
import { useElementSize } from '../Library/useElementSize'
import { LOSS_SERIES, type LossSeries, type RunHistory } from './runHistory'

const AXIS = { stroke: '#9ba3b0', grid: { stroke: '#242932' }, ticks: { stroke: '#242932' } }
const HEIGHT = 220

const LOSS_COLOUR: Record<LossSeries, string> = { loss: '#f08a3c', classification: '#6aa8ff', box: '#4fc38c' }
const LOSS_LABEL: Record<LossSeries, string> = { loss: 'total', classification: 'classification', box: 'box' }

interface EvalSeries {
  label: string
  colour: string
  value(e: RunEval): number | null
}

const DETECTOR_SERIES: EvalSeries[] = [
  { label: 'AP50', colour: '#f08a3c', value: (e) => e.ap50 },
  { label: 'AP 50:95', colour: '#e9b44c', value: (e) => e.ap },
  { label: 'recall', colour: '#6aa8ff', value: (e) => e.recall },
]

/** A classifier's: accuracy, and the precision and recall of its last class (a tag's: the tag set). */
const CLASSIFIER_SERIES: EvalSeries[] = [
  { label: 'accuracy', colour: '#f08a3c', value: (e) => e.classifier?.accuracy ?? null },
  { label: 'precision', colour: '#e9b44c', value: (e) => e.classifier?.classes.at(-1)?.precision ?? null },
  { label: 'recall', colour: '#6aa8ff', value: (e) => e.classifier?.classes.at(-1)?.recall ?? null },
]

/** The loss parts a task's runs report: a classifier's step has no box loss, and its classification loss is its total. */
const lossSeries = (task: RunTask): readonly LossSeries[] => (task === 'classify' ? ['loss'] : LOSS_SERIES)

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
  task?: RunTask
}

export function LossChart({ history, version, logScale, task = 'detect' }: LossChartProps) {
  const shown = lossSeries(task)
  const empty = () => [[], ...shown.flatMap(() => [[], []])] as uPlot.AlignedData
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
        ...shown.map((name) => ({
          label: `${LOSS_LABEL[name]} (raw)`,
          stroke: `${LOSS_COLOUR[name]}40`,
          width: 1,
          points: { show: false },
        })),
        ...shown.map((name) => ({
          label: LOSS_LABEL[name],
          stroke: LOSS_COLOUR[name],
          width: 1.75,
          points: { show: false },
        })),
      ],
    }
    chart.current = new uPlot(options, empty(), plotBox.current!)
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` follows `task`
  }, [width, logScale, task])

  useEffect(() => {
    if (!chart.current) return
    if (!history) return chart.current.setData(empty())
    chart.current.setData([history.stepsView(), ...shown.map((name) => history.rawView(name)), ...shown.map((name) => history.smoothView(name))])
    // `width`, `logScale` and `task` re-create the chart empty: it is filled again here.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` follows `task`
  }, [history, version, width, logScale, task])

  const points = history?.length ?? 0
  return (
    <figure className="train-chart" aria-label="Training loss per step">
      <figcaption className="train-chart-head">
        <span className="train-chart-title">Training loss</span>
        <Legend
          items={shown.map((name) => ({
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
  task?: RunTask
}

export function EvalChart({ history, version, task = 'detect' }: EvalChartProps) {
  const series = task === 'classify' ? CLASSIFIER_SERIES : DETECTOR_SERIES
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
        ...series.map(({ label, colour }) => ({
          label,
          stroke: colour,
          width: 1.75,
          // Evaluations are few (one an epoch or fewer): each is marked.
          points: { show: true, size: 6, fill: colour },
        })),
      ],
    }
    chart.current = new uPlot(options, [[], ...series.map(() => [])], plotBox.current!)
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `series` follows `task`
  }, [width, task])

  const evals = history?.evals ?? NO_EVALS
  useEffect(() => {
    chart.current?.setData([evals.map((e) => e.epoch), ...series.map(({ value }) => evals.map(value))])
    // `evals` is a new array whenever an evaluation is added; `version` says so too.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `series` follows `task`
  }, [evals, version, width, task])

  const last = evals.at(-1)
  return (
    <figure className="train-chart" aria-label="Evaluation on val per epoch">
      <figcaption className="train-chart-head">
        <span className="train-chart-title">Evaluation on val</span>
        <Legend items={series.map(({ value, label, colour }) => ({ label, colour, value: (last && value(last)) ?? Number.NaN }))} />
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
