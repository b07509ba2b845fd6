// "Predict on photos": the run's best checkpoint predicts boxes on the project's photos (all, those not reviewed yet, or
// val), as a job like the others — one at a time, with its progress line and Cancel. The predicted boxes show dotted
// with their scores in Review, whose "Predictions disagree" filter then walks the photos where model and labels differ.
// The run's verdict shows above; a weak run asks for confirmation first, since its boxes would mostly be noise.
// A classifier run predicts its tag instead: every photo in scope gets a predicted layer of the tag with its score,
// under any label a person, a file or kindling gave it (no minimum score: a tag is set or not).
import { useEffect, useId, useState } from 'react'
import type { JobProgress, PredictScope, Run } from '../../../../shared/api'
import { bestScore, runVerdict } from '../../../../shared/run-quality'
import { useStudio } from '../../api/context'
import { RunningJob } from '../../components/RunningJob'
import { formatCount } from '../../format'
import { messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'
import { RunQualityBadge } from './RunQuality'

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
  // The threshold chosen on the Evaluate page ("Use for deploy") is the run's own: predictions start from it.
  const runThreshold = run.task === 'detect' ? run.threshold : null
  const [minScore, setMinScore] = useState(String(runThreshold ?? 0.3))
  useEffect(() => setMinScore(String(runThreshold ?? 0.3)), [run.id, runThreshold])
  const [jobId, setJobId] = useState<string | null>(null)
  // A weak run's Predict first asks; the question stays until answered.
  const [confirming, setConfirming] = useState(false)
  const verdict = runVerdict(bestScore(run), run.task)
  const weak = verdict.quality === 'weak'
  const classify = run.task === 'classify'
  const score = classify ? 0.3 : parseMinScore(minScore)
  const start = useSubmit(
    () => studio.request('predict.start', { runId: run.id, scope, minScore: score ?? 0.3 }),
    (started) => {
      setConfirming(false)
      setJobId(started.jobId)
    },
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
      {checkpoint && (
        <p className={`train-predict-verdict is-${verdict.quality}`} data-testid="predict-verdict">
          <RunQualityBadge run={run} testId="predict-quality" /> {verdict.explanation}
        </p>
      )}
      <form
        className="train-predict-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (disabledWhy) return
          if (weak) setConfirming(true)
          else void start.submit()
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
        {!classify && (
          <>
            <label htmlFor={`${id}-min-score`}>min score</label>
            <input
              id={`${id}-min-score`}
              className="input train-predict-score"
              inputMode="decimal"
              value={minScore}
              onChange={(e) => setMinScore(e.target.value)}
              aria-invalid={score === null}
              title={runThreshold === null ? "The preset's threshold" : 'The run’s threshold, chosen on the Evaluate page'}
              data-testid="predict-min-score"
            />
          </>
        )}
        <button
          type="submit"
          className="button"
          disabled={disabledWhy !== null || start.busy}
          title={
            disabledWhy ??
            (classify
              ? `Store the best checkpoint's ${run.settings.tag} tag on the photos as a prediction, replacing this run's earlier ones`
              : "Store the best checkpoint's boxes on the photos, replacing earlier predictions")
          }
          data-testid="predict-start"
        >
          {start.busy ? 'Starting…' : classify ? `Predict ${run.settings.tag} on photos` : 'Predict on photos'}
        </button>
      </form>
      {confirming && !disabledWhy && (
        <div className="train-predict-confirm" role="alertdialog" aria-label="Predict with a weak run?" data-testid="predict-confirm">
          {classify ? (
            <p>
              <strong>This run is weak</strong> (best accuracy {Math.round((run.bestAccuracy ?? 0) * 100)}%). Its {run.settings.tag} tags will be
              stored on the photos as predictions (under any label they have), and many may be wrong. Predict anyway?
            </p>
          ) : (
            <p>
              <strong>This run is weak</strong> (best AP50 {Math.round((run.bestAp50 ?? 0) * 100)}%). Its boxes will be stored on the photos as
              predictions, replacing earlier ones, and many may be wrong — even with high scores, which an under-trained model gives freely.
              Predict anyway?
            </p>
          )}
          <div className="train-predict-confirm-actions">
            <button
              type="button"
              className="button is-primary"
              onClick={() => void start.submit()}
              disabled={start.busy}
              data-testid="predict-confirm-yes"
            >
              {start.busy ? 'Starting…' : 'Predict anyway'}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)} data-testid="predict-confirm-no">
              Cancel
            </button>
          </div>
        </div>
      )}
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
          {job.state !== 'failed' && !classify && (
            <a href="#review" data-testid="predict-review">
              Review → filter "Predictions disagree"
            </a>
          )}
          {job.state !== 'failed' && classify && (
            <span data-testid="predict-tags">Each photo's {run.settings.tag} tag now has this run's prediction.</span>
          )}
        </p>
      )}
    </section>
  )
}
