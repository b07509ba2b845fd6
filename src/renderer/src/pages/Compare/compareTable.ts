// The Compare page's table as data: its columns, how a click on a header sorts them, and how each figure is written.
// Pure, for tests. A run without a figure (never deployed to the device, a classifier's missing AP) sorts last whichever
// way the column is sorted, so the runs that can be compared stay together at the top.
import type { CompareLatency, CompareRow } from '../../../../shared/api'
import { compact } from '../Train/presetText'

export type SortKey = 'name' | 'preset' | 'data' | 'budget' | 'ap50' | 'ap' | 'recall' | 'params' | 'macs' | 'p50' | 'created'
export type SortDirection = 'asc' | 'desc'
export interface Sort {
  key: SortKey
  direction: SortDirection
}

/** The score a row is judged by: a detector's AP50, a classifier's accuracy (the chart's y for detectors). */
export const score = (row: Pick<CompareRow, 'task' | 'ap50' | 'accuracy'>): number | null => (row.task === 'classify' ? row.accuracy : row.ap50)

const VALUE: Record<SortKey, (r: CompareRow) => number | string | null> = {
  name: (r) => r.name.toLocaleLowerCase(),
  preset: (r) => r.preset,
  data: (r) => r.trainImages,
  budget: (r) => r.steps,
  ap50: score,
  ap: (r) => r.ap,
  recall: (r) => r.recall,
  params: (r) => r.params,
  macs: (r) => r.macs,
  p50: (r) => r.latency?.p50Ms ?? null,
  created: (r) => r.createdAt,
}

/** Where a first click on a header starts: the best first for scores, the fastest and smallest first for costs. */
export const FIRST_DIRECTION: Record<SortKey, SortDirection> = {
  name: 'asc',
  preset: 'asc',
  data: 'desc',
  budget: 'desc',
  ap50: 'desc',
  ap: 'desc',
  recall: 'desc',
  params: 'asc',
  macs: 'asc',
  p50: 'asc',
  created: 'desc',
}

/** The sort after a click on `key`'s header: the same column turns around, another starts at its first direction. */
export const nextSort = (current: Sort, key: SortKey): Sort =>
  current.key === key ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: FIRST_DIRECTION[key] }

/** The rows in the order a sort asks, missing figures last; equal ones newest first, so the order never jumps. */
export function sortRows(rows: readonly CompareRow[], { key, direction }: Sort): CompareRow[] {
  const sign = direction === 'asc' ? 1 : -1
  const value = VALUE[key]
  return [...rows].sort((a, b) => {
    const [va, vb] = [value(a), value(b)]
    if (va === null || vb === null) return va === vb ? b.createdAt - a.createdAt : va === null ? 1 : -1
    const order = typeof va === 'string' ? va.localeCompare(vb as string) : va - (vb as number)
    return order * sign || b.createdAt - a.createdAt
  })
}

/** A detector run the chart can place: it has an AP50 and a latency on the device. */
export type Placed = CompareRow & { ap50: number; latency: NonNullable<CompareRow['latency']> }

export const placeable = (r: CompareRow): r is Placed => r.task === 'detect' && r.ap50 !== null && r.latency !== null

/** 0.8234 → "82.3 %"; null → "—". */
export const percent = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)} %`)

/** Milliseconds as the Devices page writes them: "4.3 ms", "120 ms". */
export const ms = (v: number): string => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`)

export const count = (v: number | null): string => (v === null ? '—' : compact(v))

/** "10 epochs", "1 epoch", "5 min". */
export function budgetText(budget: CompareRow['budget']): string {
  if (budget.unit === 'minutes') return `${budget.value} min`
  return `${budget.value} epoch${budget.value === 1 ? '' : 's'}`
}

/** What ran the model: "ONNX Runtime int8", "TF.js fp32". */
export function runtimeText(l: Pick<CompareLatency, 'runtime' | 'precision'>): string {
  const runtime = l.runtime === 'tfjs' ? 'TF.js' : l.runtime === 'onnx' ? 'ONNX Runtime' : 'runtime not reported'
  return l.precision ? `${runtime} ${l.precision}` : runtime
}

/** The device as the page names it: the built-in one is "This computer". */
export const deviceLabel = (d: { name: string; kind: 'ssh' | 'local' }): string => (d.kind === 'local' ? 'This computer' : d.name)

/** What the table says where a run has no latency on the device (a link to Devices follows it). */
export const notMeasured = (device: { name: string; kind: 'ssh' | 'local' }): string => `not measured on ${deviceLabel(device)}`

/**
 * The x axis goes logarithmic when the latencies spread over more than this factor: a 4 ms and a 400 ms model on one
 * linear axis would squeeze every fast model into the left edge.
 */
export const LOG_SPREAD = 8

export function wantsLogScale(latencies: readonly number[]): boolean {
  if (latencies.length < 2) return false
  return Math.max(...latencies) / Math.min(...latencies) > LOG_SPREAD
}
