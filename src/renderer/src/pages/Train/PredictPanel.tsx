// "Predict on photos": the run's best checkpoint predicts boxes on the project's photos (all, those not reviewed yet, or
// val), as a job like the others — one at a time, with its progress line and Cancel. The predicted boxes show dotted
// with their scores in Review, whose "Predictions disagree" filter then walks the photos where model and labels differ.
import { useId, useState } from 'react'
import type { JobProgress, PredictScope, Run } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { RunningJob } from '../../components/RunningJob'
import { formatCount } from '../../format'
import { messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

const SCOPES: { value: PredictScope; label: string }[] = [
  { value: 'all', label: 'All photos' },
  { value: 'unreviewed', label: 'Unreviewed photos' },
  { value: 'val', label: 'Val photos' },
]

export interface PredictPanelProps {
  run: Run
  /** A job is running: predicting waits for it. */
  busy: boolean
  jobs: JobProgress[]
}

/** The minimum score as typed: a number in (0, 1], or null. */
function parseMinScore(text: string): number | null {
  const n = Number(text)
  return text.trim() !== '' && Number.isFinite(n) && n >= 0.01 && n <= 1 ? n : null
}

export function PredictPanel({ run, busy, jobs }: PredictPanelProps) {
  const studio = useStudio()
  const id = useId()
  const [scope, setScope] = useState<PredictScope>('all')
  const [minScore, setMinScore] = useState('0.3')
  const [jobId, setJobId] = useState<string | null>(null)
  const score = parseMinScore(minScore)
  const start = useSubmit(
    () => studio.request('predict.start', { runId: run.id, scope, minScore: score ?? 0.3 }),
    (started) => setJobId(started.jobId),
  )
  const startError = messageForForm(start.error, [])
  // The job started here, or a prediction started elsewhere (the CLI, before a reload) while it runs.
  const job =
    (jobId ? jobs.find((j) => j.jobId === jobId) : undefined) ?? jobs.find((j) => j.kind === 'predict' && j.state === 'running') ?? null
  const checkpoint = run.bestCheckpoint
  const startedUnseen = jobId !== null && !jobs.some((j) => j.jobId === jobId)
  const disabledWhy = !checkpoint
    ? 'The run has no checkpoint yet: the first evaluation writes one'
    : busy || startedUnseen
      ? 'A job is running'
      : score === null
        ? 'The minimum score is a number from 0.01 to 1'
        : null

  return (
    <section className="train-predict" aria-label="Predict on photos" data-testid="run-predict">
      <form
        className="train-predict-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (!disabledWhy) void start.submit()
        }}
      >
        <label htmlFor={`${id}-scope`}>Predict on</label>
        <select
          id={`${id}-scope`}
          className="select"
          value={scope}
          onChange={(e) => setScope(e.target.value as PredictScope)}
          data-testid="predict-scope"
        >
          {SCOPES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-min-score`}>min score</label>
        <input
          id={`${id}-min-score`}
          className="input train-predict-score"
          inputMode="decimal"
          value={minScore}
          onChange={(e) => setMinScore(e.target.value)}
          aria-invalid={score === null}
          data-testid="predict-min-score"
        />
        <button
          type="submit"
          className="button"
          disabled={disabledWhy !== null || start.busy}
          title={disabledWhy ?? "Store the best checkpoint's boxes on the photos, replacing earlier predictions"}
          data-testid="predict-start"
        >
          {start.busy ? 'Starting…' : 'Predict on photos'}
        </button>
      </form>
      {startError && (
        <p className="form-error" role="alert" data-testid="predict-error">
          {startError}
        </p>
      )}
      {job?.state === 'running' && (
        <RunningJob job={job} title={{ counting: 'Loading the model…', working: 'Predicting' }} label="Prediction progress" testId="predict" />
      )}
      {job && job.state !== 'running' && (
        <p className={job.state === 'failed' ? 'form-error' : 'muted'} role="status" data-testid="predict-done">
          {job.state === 'failed'
            ? `Prediction failed: ${job.message ?? 'unknown reason'}`
            : `${job.state === 'cancelled' ? 'Cancelled after' : 'Predicted on'} ${formatCount(job.done)} photos. `}
          {job.state !== 'failed' && (
            <a href="#review" data-testid="predict-review">
              Review → filter "Predictions disagree"
            </a>
          )}
        </p>
      )}
    </section>
  )
}
