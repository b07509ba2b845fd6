// The project's runs, newest first: name, preset (a classifier's with its tag), state, how far, best score (AP50, or a
// classifier's accuracy) with its verdict, and when. Choosing one shows it.
import type { Run } from '../../../../shared/api'
import { bestScore } from '../../../../shared/run-quality'
import { ap50Text, epochText, lineageText } from './runList'
import { RunQualityBadge } from './RunQuality'

export interface RunListProps {
  runs: Run[] | null
  selected: number | null
  onSelect(runId: number): void
}

export function RunList({ runs, selected, onSelect }: RunListProps) {
  if (runs === null) return <p className="muted">Loading runs…</p>
  if (runs.length === 0) return <p className="muted train-runs-empty">No runs yet: start one above.</p>
  return (
    <ul className="train-runs" aria-label="Runs" data-testid="run-list">
      {runs.map((run) => (
        <li key={run.id}>
          <button
            type="button"
            className={`train-run${run.id === selected ? ' is-active' : ''}`}
            aria-current={run.id === selected ? 'true' : undefined}
            onClick={() => onSelect(run.id)}
            data-testid={`run-${run.id}`}
          >
            <span className="train-run-line">
              <span className="train-run-name">{run.name}</span>
              <RunStateBadge run={run} />
            </span>
            {run.parent && (
              <span className="train-run-line muted" data-testid={`run-lineage-${run.id}`}>
                <span>{lineageText(run.parent)}</span>
              </span>
            )}
            <span className="train-run-line muted">
              <span>{run.task === 'classify' ? `${run.preset} · tag ${run.settings.tag}` : run.preset}</span>
              <span>{epochText(run)}</span>
            </span>
            <span className="train-run-line muted">
              <span>
                {run.task === 'classify' ? 'accuracy' : 'AP50'} <span className="mono">{ap50Text(bestScore(run))}</span>{' '}
                {bestScore(run) !== null && <RunQualityBadge run={run} />}
              </span>
              <time dateTime={new Date(run.createdAt).toISOString()}>{new Date(run.createdAt).toLocaleString()}</time>
            </span>
          </button>
        </li>
      ))}
    </ul>
  )
}

export function RunStateBadge({ run, testId = `run-state-${run.id}` }: { run: Run; testId?: string }) {
  return (
    <span className={`run-state is-${run.state}`} data-testid={testId}>
      {run.state}
    </span>
  )
}
