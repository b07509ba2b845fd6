// Every compared run in one table, sorted by a click on a column's header (again: the other way). A row opens its run
// on the Train page; a run never deployed to the device says so, with the way to measure it.
import type { KeyboardEvent } from 'react'
import type { CompareRow } from '../../../../shared/api'
import { formatCount } from '../../format'
import { devicesModelHash } from '../../state/usePage'
import { budgetText, count, ms, notMeasured, percent, runtimeText, score, type Sort, type SortKey } from './compareTable'

const COLUMNS: { key: SortKey; label: string; title?: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Run' },
  { key: 'preset', label: 'Preset' },
  { key: 'data', label: 'Data', title: 'Labelled photos trained on / evaluated on (val)', numeric: true },
  { key: 'budget', label: 'Budget', title: 'What the run was asked for, and the optimizer steps it took', numeric: true },
  { key: 'ap50', label: 'AP50', title: "The best checkpoint's AP50 on val (a classifier's accuracy)", numeric: true },
  { key: 'ap', label: 'AP', title: 'COCO AP over IoU 0.50:0.95 on val', numeric: true },
  { key: 'recall', label: 'Recall', title: 'Share of labelled faces found at IoU 0.5 on val', numeric: true },
  { key: 'params', label: 'Size', title: 'Parameters of the run’s model', numeric: true },
  { key: 'macs', label: 'Mult-adds', title: 'Multiply-adds a frame', numeric: true },
  { key: 'p50', label: 'p50', title: 'Median latency a frame on the device, and p90', numeric: true },
]

export interface CompareTableProps {
  rows: CompareRow[]
  sort: Sort
  onSort(key: SortKey): void
  device: { name: string; kind: 'ssh' | 'local' }
  onOpen(runId: number): void
}

export function CompareTable({ rows, sort, onSort, device, onOpen }: CompareTableProps) {
  const openOnKey = (event: KeyboardEvent, runId: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      onOpen(runId)
    }
  }
  return (
    <table className="compare-table" data-testid="compare-table">
      <thead>
        <tr>
          {COLUMNS.map(({ key, label, title, numeric }) => (
            <th
              key={key}
              scope="col"
              className={numeric ? 'is-numeric' : undefined}
              aria-sort={sort.key === key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}
            >
              <button type="button" className="compare-sort" title={title} onClick={() => onSort(key)} data-testid={`compare-sort-${key}`}>
                {label}
                <span className="compare-sort-mark" aria-hidden="true">
                  {sort.key === key ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.runId}
            className={r.onFront ? 'is-front' : undefined}
            tabIndex={0}
            onClick={() => onOpen(r.runId)}
            onKeyDown={(e) => openOnKey(e, r.runId)}
            aria-label={`${r.name}: open the run`}
            data-testid={`compare-row-${r.runId}`}
          >
            <td>
              <span className="compare-run-name">{r.name}</span>
              {r.onFront && (
                <span className="compare-front-badge" title="No other run is both more accurate and faster on this device">
                  front
                </span>
              )}
              <span className="compare-sub muted">
                {r.task === 'classify' ? `classifier · ${r.classes.at(-1)}` : r.classes.join(', ')}
                {r.parent && ` · fine-tuned from ${r.parent.name ?? `run ${r.parent.runId}`}`}
                {r.state === 'cancelled' && ' · cancelled'}
              </span>
            </td>
            <td>
              <span>{r.preset}</span>
              <span className="compare-sub muted">
                {r.backbone} · {r.input}
              </span>
            </td>
            <td className="is-numeric">
              {formatCount(r.trainImages)} / {formatCount(r.valImages)}
              <span className="compare-sub muted">{r.valHeldOut ? 'train / held out' : 'train / val'}</span>
            </td>
            <td className="is-numeric">
              {budgetText(r.budget)}
              <span className="compare-sub muted">{formatCount(r.step)} steps</span>
            </td>
            <td className="is-numeric" data-testid={`compare-score-${r.runId}`}>
              {r.task === 'classify' ? (
                <span title="A classifier draws no boxes: its accuracy on val">
                  {percent(score(r))}
                  <span className="compare-sub muted">accuracy</span>
                </span>
              ) : (
                percent(r.ap50)
              )}
            </td>
            <td className="is-numeric">{percent(r.ap)}</td>
            <td className="is-numeric">{percent(r.recall)}</td>
            <td className="is-numeric">{count(r.params)}</td>
            <td className="is-numeric">{count(r.macs)}</td>
            <td className="is-numeric" data-testid={`compare-latency-${r.runId}`}>
              {r.latency ? (
                <>
                  {ms(r.latency.p50Ms)}
                  <span className="compare-sub muted" title={alternativesText(r.latency)}>
                    {r.latency.p90Ms !== null && `p90 ${ms(r.latency.p90Ms)} · `}
                    {runtimeText(r.latency)}
                  </span>
                </>
              ) : (
                <span className="compare-unmeasured">
                  {notMeasured(device)} —{' '}
                  <a
                    href={r.checkpoint ? devicesModelHash(r.checkpoint) : '#devices'}
                    onClick={(e) => e.stopPropagation()}
                    data-testid={`compare-deploy-${r.runId}`}
                  >
                    deploy it from Devices
                  </a>
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The slower runtimes and precisions measured too, for the latency's tooltip. */
function alternativesText(latency: NonNullable<CompareRow['latency']>): string {
  const fastest = `Fastest measured: ${runtimeText(latency)} ${ms(latency.p50Ms)}`
  if (latency.alternatives.length === 0) return fastest
  return `${fastest}; also ${latency.alternatives.map((a) => `${runtimeText(a)} ${ms(a.p50Ms)}`).join(', ')}`
}
