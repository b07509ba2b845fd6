// One run: how far it is (with Cancel) or why it stopped (with Resume), its curves, and what it is — settings, backend,
// classes, photos — with its best checkpoint to copy or to deploy from the Devices page. A classifier run shows its
// best evaluation's accuracy, each class's precision and recall and the confusion matrix.
import { useState } from 'react'
import { type ClassifierScore, FROZEN_THROUGHOUT, type JobProgress, type Run } from '../../../../shared/api'
import { bestScore } from '../../../../shared/run-quality'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { ProgressBar } from '../../components/ProgressBar'
import { formatCount, formatDuration, plural } from '../../format'
import { messageForForm } from '../../state/errors'
import { devicesModelHash } from '../../state/usePage'
import { useSubmit } from '../../state/useSubmit'
import { RunStateBadge } from './RunList'
import { RunQualityBadge, RunQualityExplanation } from './RunQuality'
import { ap50Text, canResume, lineageText, minutesText } from './runList'
import { DEFAULT_SMOOTHING } from './runHistory'
import { ExportPanel } from './ExportPanel'
import { PredictPanel } from './PredictPanel'
import { EvalChart, LossChart } from './TrainingCharts'
import { useRunHistory } from './useRunHistory'

const SMOOTHING_CHOICES = [
  { value: 0, label: 'off' },
  { value: 0.6, label: '0.6' },
  { value: DEFAULT_SMOOTHING, label: '0.9' },
  { value: 0.99, label: '0.99' },
]

export interface RunDetailProps {
  run: Run
  /** The job training this run, while it runs (its ETA and the id Cancel needs). */
  job: JobProgress | null
  /** A job is running: Resume waits for it. */
  busy: boolean
  /** Every job of the project: "Predict on photos" shows its own. */
  jobs?: JobProgress[]
  onResumed(started: { jobId: string; runId: number }): void
  /** "Fine-tune with new classes…": the new-run form, set to fine-tune this run. */
  onFineTune?(run: Run): void
}

export function RunDetail({ run, job, busy, jobs = [], onResumed, onFineTune }: RunDetailProps) {
  const studio = useStudio()
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING)
  const [logScale, setLogScale] = useState(false)
  const { history, version, error: historyError } = useRunHistory(run.id, smoothing)
  const resume = useSubmit(() => studio.request('train.resume', { runId: run.id }), onResumed)
  const resumeError = messageForForm(resume.error, [])

  return (
    <article className="train-detail" aria-labelledby={`run-title-${run.id}`} data-testid="run-detail">
      <header className="train-detail-header">
        <div>
          <h2 id={`run-title-${run.id}`}>
            {run.name} <RunStateBadge run={run} testId="run-detail-state" />{' '}
            {bestScore(run) !== null && <RunQualityBadge run={run} testId="run-header-quality" />}
          </h2>
          <p className="muted">
            {run.preset}
            {run.task === 'classify' && ` · classifies photos by their ${run.settings.tag} tag`} · started{' '}
            {new Date(run.createdAt).toLocaleString()}
            {run.endedAt !== null && ` · ended ${new Date(run.endedAt).toLocaleString()}`}
          </p>
          {run.parent && (
            <p className="muted" data-testid="run-lineage">
              {lineageText(run.parent)}
            </p>
          )}
        </div>
        {run.task === 'detect' && run.bestCheckpoint !== null && (
          <a className="button" href={`#evaluate?run=${run.id}`} data-testid="run-evaluate">
            Evaluate
          </a>
        )}
        {run.state === 'done' && run.bestCheckpoint !== null && onFineTune && run.task === 'detect' && (
          <button
            type="button"
            className="button"
            onClick={() => onFineTune(run)}
            title="Start a run from this one's best checkpoint with more classes: its backbone, box head and classes carry over"
            data-testid="run-finetune"
          >
            Fine-tune with new classes…
          </button>
        )}
        {canResume(run) && (
          <button
            type="button"
            className="button is-primary"
            onClick={() => void resume.submit()}
            disabled={busy || resume.busy}
            title={
              busy
                ? 'A job is running'
                : run.settings.minutes === undefined
                  ? 'Go on from the last checkpoint to the planned epochs'
                  : 'Go on from the last checkpoint with the time left then'
            }
            data-testid="run-resume"
          >
            {resume.busy ? 'Resuming…' : 'Resume'}
          </button>
        )}
      </header>

      {run.state === 'running' && (
        <RunProgress
          run={run}
          // `run.changed` comes once an epoch; the step events say how far it is between them.
          step={Math.max(run.step, history?.lastStep ?? 0)}
          epoch={Math.max(run.epoch, history?.lastEpoch ?? 0)}
          job={job}
        />
      )}
      {run.error && (
        <p className={run.state === 'failed' ? 'form-error train-run-error' : 'muted'} role="alert" data-testid="run-error">
          {run.error}
        </p>
      )}
      {resumeError && (
        <p className="form-error" role="alert" data-testid="run-resume-error">
          {resumeError}
        </p>
      )}
      {run.state !== 'running' && <PredictPanel run={run} busy={busy} jobs={jobs} />}
      {/* Exporting and deploying take detectors; a classifier's export is still to come. */}
      {run.state !== 'running' && <ExportPanel run={run} busy={busy} jobs={jobs} />}

      <div className="train-chart-tools">
        <label>
          Smoothing{' '}
          <select className="select" value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="loss-smoothing">
            {SMOOTHING_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <label className="radio">
          <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="loss-log" />
          Log scale
        </label>
      </div>
      {historyError && <p className="form-error">Could not load the run's history: {historyError}</p>}
      <div className="train-charts">
        <LossChart history={history} version={version} logScale={logScale} task={run.task} />
        <EvalChart history={history} version={version} task={run.task} />
      </div>

      <RunFacts run={run} best={history?.evals.find((e) => e.checkpoint === run.bestCheckpoint)?.classifier ?? null} />
    </article>
  )
}

/**
 * How far a running run is: epoch and step of the planned ones, the job's time left (evaluations included; a budget
 * run's from its start), and Cancel.
 */
function RunProgress({ run, step, epoch, job }: { run: Run; step: number; epoch: number; job: JobProgress | null }) {
  const studio = useStudio()
  const [cancelling, setCancelling] = useState(false)
  const cancel = () => {
    if (!job) return
    setCancelling(true)
    studio.request('jobs.cancel', { jobId: job.jobId }).catch(() => setCancelling(false))
  }
  const eta = job?.etaMs == null ? null : `about ${formatDuration(job.etaMs)} left`
  return (
    <section className="import-status" aria-label="Training progress" data-testid="run-progress">
      <div className="import-status-line">
        <strong aria-live="polite" data-testid="run-progress-text">
          {step === 0
            ? 'Preparing the photos…'
            : run.settings.minutes === undefined
              ? `Epoch ${epoch} / ${run.settings.epochs}`
              : `Epoch ${epoch} · ${minutesText(run.settings.minutes)} run`}
        </strong>
        <span className="mono muted">
          {/* A budget run plans its steps once it has timed its first ones. */}
          step {formatCount(step)} / {run.steps > 0 ? formatCount(run.steps) : 'planning…'}
        </span>
        {eta && (
          <span className="muted" data-testid="run-eta">
            {eta}
          </span>
        )}
        <span className="spacer" />
        <button
          type="button"
          className="button is-small"
          onClick={cancel}
          disabled={!job || cancelling}
          title={job ? 'Stop the run; its checkpoints stay and it can resume' : 'Waiting for the job to report'}
          data-testid="run-cancel"
        >
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <ProgressBar done={step} total={run.steps || null} label="Training progress" />
    </section>
  )
}

/** A classifier's evaluation: each class's precision and recall, and the confusion matrix (rows: labels). */
export function ClassifierScores({ score }: { score: ClassifierScore }) {
  const percent = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`)
  return (
    <div className="train-classifier-scores" data-testid="run-classifier-scores">
      <table className="train-class-table" aria-label="Precision and recall per class" data-testid="run-class-scores">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Val photos</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
          </tr>
        </thead>
        <tbody>
          {score.classes.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td className="mono">{formatCount(c.photos)}</td>
              <td className="mono">{percent(c.precision)}</td>
              <td className="mono">{percent(c.recall)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="train-confusion" aria-label="Confusion matrix on val" data-testid="run-confusion">
        <thead>
          <tr>
            <th scope="col">Labelled ↓ · said →</th>
            {score.classes.map((c) => (
              <th key={c.name} scope="col">
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {score.confusion.map((row, i) => (
            <tr key={score.classes[i].name}>
              <th scope="row">{score.classes[i].name}</th>
              {row.map((n, j) => (
                <td key={score.classes[j].name} className={`mono${i === j ? ' is-right' : ''}`}>
                  {formatCount(n)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * What the run is: its settings, where it ran, what it learnt from, and its best checkpoint (a classifier's with its
 * best evaluation's scores, `best`, once the run's history has it).
 */
function RunFacts({ run, best }: { run: Run; best: ClassifierScore | null }) {
  const { settings } = run
  const [copied, setCopied] = useState(false)
  const checkpoint = run.bestCheckpoint
  const copy = () => {
    if (!checkpoint) return
    void navigator.clipboard?.writeText(checkpoint).then(() => setCopied(true))
  }
  return (
    <section className="train-facts" aria-label="Run details">
      <dl className="train-facts-list" data-testid="run-facts">
        {run.task === 'classify' ? (
          <>
            <dt>Best accuracy</dt>
            <dd>
              <span className="mono" data-testid="run-best-accuracy">
                {ap50Text(run.bestAccuracy)}
              </span>
              {best && <span className="muted"> on {plural(best.photos, 'val photo')}</span>}
              <RunQualityExplanation run={run} />
              {best && <ClassifierScores score={best} />}
            </dd>
            <dt>Tag</dt>
            <dd data-testid="run-tag">{settings.tag}</dd>
          </>
        ) : (
          <>
            <dt>Best AP50</dt>
            <dd>
              <span className="mono" data-testid="run-best-ap50">
                {ap50Text(run.bestAp50)}
              </span>
              <RunQualityExplanation run={run} />
            </dd>
          </>
        )}
        <dt>Best checkpoint</dt>
        <dd>
          {checkpoint ? (
            <span className="train-checkpoint">
              <code data-testid="run-checkpoint">{checkpoint}</code>
              <button type="button" className="button is-small" onClick={copy} data-testid="run-copy-checkpoint">
                <Icon name="copy" size={14} />
                {copied ? 'Copied' : 'Copy path'}
              </button>
              <a className="button is-small" href={devicesModelHash(checkpoint)} data-testid="run-deploy">
                Deploy…
              </a>
            </span>
          ) : (
            <span className="muted">none yet: the first evaluation writes one</span>
          )}
        </dd>
        <dt>Backend</dt>
        <dd>{run.backend}</dd>
        <dt>Classes</dt>
        <dd>{run.classes.length ? run.classes.join(', ') : '–'}</dd>
        <dt>Photos</dt>
        <dd data-testid="run-photos">
          {formatCount(run.trainImages)} train · {formatCount(run.valImages)} val
          {run.valHeldOut && <span className="muted"> (held out: the project has no val photos)</span>}
        </dd>
        {run.warnings.length > 0 && (
          <>
            <dt>Skipped</dt>
            <dd data-testid="run-warnings">
              {run.warnings.length === 1 ? '1 photo could not be read' : `${formatCount(run.warnings.length)} photos could not be read`}
              <ul className="train-warnings">
                {run.warnings.slice(0, 20).map((w) => (
                  <li key={w.path}>
                    <code>{w.path}</code> <span className="muted">{w.reason}</span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {run.parent && (
          <>
            <dt>Fine-tuned from</dt>
            <dd data-testid="run-parent">
              {run.parent.name ?? `run ${run.parent.runId ?? '(deleted)'}`}, epoch {run.parent.epoch}
              {settings.freezeBackboneEpochs === FROZEN_THROUGHOUT
                ? ' · backbone frozen throughout'
                : settings.freezeBackboneEpochs
                  ? ` · backbone frozen for the first ${settings.freezeBackboneEpochs === 1 ? 'epoch' : plural(settings.freezeBackboneEpochs, 'epoch')}`
                  : ''}
            </dd>
          </>
        )}
        {settings.classMap && Object.keys(settings.classMap).length > 0 && (
          <>
            <dt>Classes made</dt>
            <dd data-testid="run-class-map">
              {Object.entries(settings.classMap)
                .map(([name, m]) => `${name}: ${m.from} boxes whose ${m.attribute} is true`)
                .join('; ')}
            </dd>
          </>
        )}
        <dt>Labels</dt>
        <dd>
          {run.task === 'classify'
            ? settings.labels === 'reviewed'
              ? 'tags a person set only'
              : 'all tags (a person’s, imported, kindled; never predicted)'
            : settings.labels === 'reviewed'
              ? 'reviewed photos only'
              : 'all labels (kindled, imported, reviewed)'}
        </dd>
        <dt>Train for</dt>
        <dd data-testid="run-length">
          {settings.minutes === undefined
            ? plural(settings.epochs ?? 0, 'epoch')
            : `${minutesText(settings.minutes)} · ${run.steps > 0 ? `${plural(run.steps, 'step')} planned` : 'steps not planned yet'}`}{' '}
          · evaluated every {settings.evalEvery === 1 ? 'epoch' : `${settings.evalEvery} epochs`}
          {settings.minutes !== undefined && ' and at the end'}
        </dd>
        <dt>Batch size</dt>
        <dd>{settings.batchSize}</dd>
        <dt>Learning rate</dt>
        <dd className="mono">{settings.learningRate}</dd>
        <dt>Augmentation</dt>
        <dd>{settings.augment ? 'on' : 'off'}</dd>
        <dt>Seed</dt>
        <dd>{settings.seed ?? 'random'}</dd>
      </dl>
    </section>
  )
}
