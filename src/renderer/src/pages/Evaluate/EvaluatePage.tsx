// The Evaluate page: what one checkpoint of a run gets wrong on a split. Choose the run, the checkpoint (its best by
// default) and the split (val; test only when chosen, and marked), start the evaluation if it has not been computed,
// then read the report: precision against recall per class at the chosen IoU, AP per class, recall by face size, the
// confusion between classes, a threshold picker whose numbers follow the slider, and the mistakes at that threshold as
// pictures that open in Review. Everything the page shows is in its URL, so Review's way back lands on the same view.
import { useEffect, useLayoutEffect, useMemo, useState } from 'react'
import type { EvalErrorKind, EvalIou, JobProgress, Run, RunEval } from '../../../../shared/api'
import { useConnection, useStudio } from '../../api/context'
import { ProgressBar } from '../../components/ProgressBar'
import { formatCount, formatDuration, plural } from '../../format'
import { errorMessage } from '../../state/errors'
import { useRuns } from '../Train/useRuns'
import '../../styles/train.css'
import '../../styles/evaluate.css'
import { checkpointChoices } from './checkpoints'
import { ErrorBrowser } from './ErrorBrowser'
import { evaluateHash, type EvaluateView, viewOf } from './evaluateHash'
import { PrChart, type PrSeries } from './PrChart'
import { ClassTable, ConfusionTable, SizeTable } from './ReportTables'
import { atThreshold, bestF1Threshold, prCurve } from './threshold'
import { ThresholdPanel } from './ThresholdPanel'
import { useErrorPages } from './useErrorPages'
import { useEvaluation } from './useEvaluation'

const CLASS_COLOURS = ['#f08a3c', '#6aa8ff', '#4fc38c', '#e9b44c', '#c38df0', '#f2777d']
const POOLED_COLOUR = '#e4e7ec'
/** How long the threshold rests before the studio is asked for what it counts (mistakes, confusion). */
const SETTLE_MS = 250

const IOU_CHOICES: { value: EvalIou; label: string }[] = [
  { value: 0.5, label: 'IoU 0.5' },
  { value: 0.75, label: 'IoU 0.75' },
  { value: 'coco', label: 'IoU 0.5:0.95' },
]

// The view last shown, for the nav rail's plain `#evaluate`: coming back from Review lands where the user was.
let lastView: EvaluateView | null = null

function initialView(): EvaluateView {
  const asked = viewOf(location.hash)
  return asked.runId === null && lastView ? lastView : asked
}

export function EvaluatePage({ jobs }: { jobs: JobProgress[] }) {
  const { runs, error: runsError } = useRuns()
  const [view, setView] = useState<EvaluateView>(initialView)
  const update = (change: Partial<EvaluateView>) => setView((v) => ({ ...v, ...change }))

  // Detectors with a checkpoint can be evaluated; a classifier draws no boxes.
  const evaluable = useMemo(() => (runs ?? []).filter((r) => r.task === 'detect' && r.bestCheckpoint !== null), [runs])
  const run = evaluable.find((r) => r.id === view.runId) ?? evaluable[0] ?? null

  useEffect(() => {
    const shown = { ...view, runId: run?.id ?? view.runId }
    lastView = shown
    // Not a navigation: only so that a reload, or the way back from Review, shows the same.
    if (location.hash.startsWith('#evaluate')) history.replaceState(null, '', evaluateHash(shown))
  }, [view, run?.id])

  if (runs === null) return <div className="evaluate" data-testid="evaluate-page" />
  return (
    <div className="evaluate" data-testid="evaluate-page">
      {runsError && <p className="form-error">Could not load the runs: {runsError}</p>}
      {run ? (
        <RunEvaluation key={run.id} run={run} runs={evaluable} view={view} update={update} jobs={jobs} />
      ) : (
        <div className="train-empty" data-testid="evaluate-empty">
          <h2>No trained detector yet</h2>
          <p className="muted">
            Train a detector on the Train page: once it has a checkpoint, this page shows what it gets wrong — its precision and recall, the
            faces it misses and the ones it imagines — and picks the threshold to deploy it with.
          </p>
        </div>
      )}
    </div>
  )
}

interface RunEvaluationProps {
  run: Run
  runs: Run[]
  view: EvaluateView
  update(change: Partial<EvaluateView>): void
  jobs: JobProgress[]
}

function RunEvaluation({ run, runs, view, update, jobs }: RunEvaluationProps) {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [evals, setEvals] = useState<RunEval[] | null>(null)
  useEffect(() => {
    if (!open) return
    let current = true
    studio.request('runs.get', { runId: run.id }).then(
      (r) => current && setEvals(r.evals),
      () => current && setEvals([]),
    )
    return () => {
      current = false
    }
  }, [studio, open, run.id, run.bestCheckpoint])
  const choices = useMemo(() => checkpointChoices(run, evals ?? []), [run, evals])
  const bestEpoch = choices.find((c) => c.best)?.epoch ?? choices[0]?.epoch ?? null
  const epoch = view.epoch !== null && choices.some((c) => c.epoch === view.epoch) ? view.epoch : bestEpoch

  return (
    <>
      <header className="eval-bar" aria-label="What to evaluate">
        <label className="eval-inline">
          Run
          <select
            className="select"
            value={run.id}
            onChange={(e) => update({ runId: Number(e.target.value), epoch: null, threshold: null })}
            data-testid="eval-run"
          >
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {r.preset}
              </option>
            ))}
          </select>
        </label>
        <label className="eval-inline">
          Checkpoint
          <select
            className="select"
            value={epoch ?? ''}
            onChange={(e) =>
              update({ epoch: choices.find((c) => c.epoch === Number(e.target.value))?.best ? null : Number(e.target.value), threshold: null })
            }
            disabled={choices.length === 0}
            data-testid="eval-checkpoint"
          >
            {choices.map((c) => (
              <option key={c.epoch} value={c.epoch}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="eval-split">
          <legend>Split</legend>
          <label className="radio">
            <input
              type="radio"
              name="eval-split"
              checked={view.split === 'val'}
              onChange={() => update({ split: 'val', threshold: null })}
              data-testid="eval-split-val"
            />
            val
          </label>
          <label
            className="radio"
            title="The photos no run trains or picks a threshold on: the final, honest score. Look at it once, at the end."
          >
            <input
              type="radio"
              name="eval-split"
              checked={view.split === 'test'}
              onChange={() => update({ split: 'test', threshold: null })}
              data-testid="eval-split-test"
            />
            test (final score)
          </label>
        </fieldset>
        <label className="eval-inline">
          Match at
          <select
            className="select"
            value={String(view.iou)}
            onChange={(e) => update({ iou: IOU_CHOICES.find((c) => String(c.value) === e.target.value)!.value })}
            data-testid="eval-iou"
          >
            {IOU_CHOICES.map((c) => (
              <option key={c.value} value={String(c.value)}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      {view.split === 'test' && (
        <p className="eval-test-warning" role="note" data-testid="eval-test-warning">
          <strong>Test split.</strong> This is the held-back final score: choosing a threshold or a checkpoint by it makes it an optimistic one.
          Tune on val.
        </p>
      )}
      {evals === null ? null : epoch === null ? (
        <p className="muted">This run has no checkpoint to evaluate.</p>
      ) : (
        <CheckpointReport key={`${epoch}:${view.split}`} run={run} epoch={epoch} view={view} update={update} jobs={jobs} />
      )}
    </>
  )
}

interface CheckpointReportProps {
  run: Run
  epoch: number
  view: EvaluateView
  update(change: Partial<EvaluateView>): void
  jobs: JobProgress[]
}

function CheckpointReport({ run, epoch, view, update, jobs }: CheckpointReportProps) {
  const studio = useStudio()
  const { split, iou } = view
  const [threshold, setThreshold] = useState<number | null>(view.threshold)
  const settled = useSettled(threshold, SETTLE_MS)
  const key = useMemo(() => ({ runId: run.id, epoch, split }), [run.id, epoch, split])
  const evaluation = useEvaluation(key, iou, settled, jobs)
  const { report } = evaluation

  // The threshold starts where the user left it, else at the run's deploy threshold, else where F1 is best.
  useEffect(() => {
    if (threshold === null && report) setThreshold(report.runThreshold ?? run.threshold ?? report.bestF1?.score ?? 0.5)
  }, [threshold, report, run.threshold])
  useEffect(() => {
    if (threshold !== null) update({ threshold })
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `update` is a new function each render
  }, [threshold])

  // The report's first paint, for timing the page (npm run bench -- eval times the requests behind it).
  const painted = report != null
  useLayoutEffect(() => {
    if (painted) performance.mark('evaluate:report')
  }, [painted])

  const [kind, setKind] = useState<EvalErrorKind>(view.errors)
  const [classIndex, setClassIndex] = useState<number | null>(null)
  const chooseKind = (k: EvalErrorKind) => {
    setKind(k)
    update({ errors: k })
  }

  // "Use for deploy": the run's threshold as stored (the answer is the run as it now is).
  const [stored, setStored] = useState<{ value: number | null } | null>(null)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState<string | null>(null)
  const runThreshold = stored ? stored.value : (report?.runThreshold ?? run.threshold)
  const saveThreshold = async (value: number | null) => {
    setSaving(true)
    setSaveError(null)
    try {
      const saved = await studio.request('runs.setThreshold', { runId: run.id, threshold: value === null ? null : Number(value.toFixed(4)) })
      setStored({ value: saved.threshold })
    } catch (e) {
      setSaveError(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  const t = threshold ?? 0.5
  const at = report ? atThreshold(report.curve, report.labelled, t) : null
  // The studio's own F1-best threshold is over every detection; the curve here is thinned to a few hundred points.
  const best = report
    ? report.bestF1
      ? { ...atThreshold(report.curve, report.labelled, report.bestF1.score), f1: report.bestF1.f1, threshold: report.bestF1.score }
      : bestF1Threshold(report.curve, report.labelled)
    : null

  const series: PrSeries[] = useMemo(() => {
    if (!report) return []
    const several = report.classes.length > 1
    const curves = report.classes.map((c, i) => ({
      name: c.name,
      colour: CLASS_COLOURS[i % CLASS_COLOURS.length],
      points: c.curve,
      labelled: c.labelled,
    }))
    if (several) curves.push({ name: 'all classes', colour: POOLED_COLOUR, points: report.curve, labelled: report.labelled })
    const bestScore = report.bestF1?.score ?? null
    return curves.map((c) => {
      const here = atThreshold(c.points, c.labelled, t)
      const there = bestScore === null ? null : atThreshold(c.points, c.labelled, bestScore)
      const point = (m: typeof here | null) =>
        m && m.precision !== null && m.recall !== null ? { recall: m.recall, precision: m.precision } : null
      return { name: c.name, colour: c.colour, curve: prCurve(c.points, c.labelled), at: point(here), best: point(there) }
    })
  }, [report, t])

  const errorQuery = useMemo(
    () =>
      report && settled !== null
        ? {
            evaluationId: report.evaluation.id,
            iou,
            threshold: settled,
            kind,
            ...(classIndex !== null ? { classIndex } : {}),
            version: `${report.labelsFingerprint}:${report.matchedAt}`,
          }
        : null,
    [report, iou, settled, kind, classIndex],
  )
  const errorPages = useErrorPages(errorQuery)

  return (
    <>
      <EvaluationStatus evaluation={evaluation} epoch={epoch} split={split} photos={split === 'val' ? run.valImages : null} />
      {report && at && (
        <>
          <section className="eval-summary" aria-label="Summary" data-testid="eval-summary">
            <Stat label="AP50" value={report.ap50} testId="eval-ap50" />
            <Stat label="AP75" value={report.ap75} testId="eval-ap75" />
            <Stat label="AP 50:95" value={report.ap} testId="eval-ap" />
            <p className="muted eval-summary-text">
              {split === 'test' && <span className="eval-split-badge">test</span>} epoch {report.evaluation.epoch} on{' '}
              {plural(report.evaluation.photos, `${split} photo`)} · {plural(report.labelled, 'labelled box', 'labelled boxes')} ·{' '}
              {plural(report.evaluation.detections, 'detection')} at or above {report.evaluation.minScore}
              {report.evaluation.skipped > 0 && ` · ${plural(report.evaluation.skipped, 'photo')} could not be read`}
              {iou === 'coco' && ' · curves, threshold and mistakes at IoU 0.5'}
            </p>
            <span className="spacer" />
            <button
              type="button"
              className="button is-small"
              onClick={() => void evaluation.start(true)}
              disabled={evaluation.starting}
              title="Infer every photo again (the report is already matched against the labels as they are now)"
              data-testid="eval-again"
            >
              Evaluate again
            </button>
          </section>
          <div className="eval-main">
            <PrChart series={series} onPick={setThreshold} />
            <ThresholdPanel
              threshold={t}
              onThreshold={setThreshold}
              at={at}
              best={best}
              runThreshold={runThreshold}
              saving={saving}
              saveError={saveError}
              onUseForDeploy={(v) => void saveThreshold(v)}
            />
          </div>
          <div className="eval-tables">
            <ClassTable classes={report.classes} threshold={t} colours={report.classes.map((_, i) => CLASS_COLOURS[i % CLASS_COLOURS.length])} />
            <SizeTable sizes={report.sizes} threshold={t} />
            {report.confusion && <ConfusionTable confusion={report.confusion} threshold={report.threshold} />}
          </div>
          <ErrorBrowser
            kind={kind}
            onKind={chooseKind}
            counts={{ 'false-alarm': at.falseAlarms, miss: at.misses }}
            pages={errorPages}
            classNames={report.classes.map((c) => c.name)}
            classIndex={classIndex}
            onClassIndex={setClassIndex}
          />
        </>
      )}
    </>
  )
}

/** Not computed yet (Start), computing (progress, time left, Cancel), or why it stopped. */
function EvaluationStatus({
  evaluation: state,
  epoch,
  split,
  photos,
}: {
  evaluation: ReturnType<typeof useEvaluation>
  epoch: number
  split: string
  photos: number | null
}) {
  const { report, evaluation, job, error, starting, running } = state
  if (report === undefined && !error && !running) return <p className="muted">Loading…</p>
  if (running) {
    const done = evaluation?.done ?? 0
    const total = evaluation?.photos || null
    return (
      <section className="import-status eval-status" aria-label="Evaluation progress" data-testid="eval-progress">
        <div className="import-status-line">
          <strong aria-live="polite" data-testid="eval-progress-text">
            Evaluating epoch {epoch} on {split}: {formatCount(done)}
            {total !== null && ` / ${formatCount(total)}`} photos
          </strong>
          {job?.etaMs != null && <span className="muted">about {formatDuration(job.etaMs)} left</span>}
          <span className="spacer" />
          <button type="button" className="button is-small" onClick={state.cancel} disabled={!job} data-testid="eval-cancel">
            Cancel
          </button>
        </div>
        <ProgressBar done={done} total={total} label="Evaluation progress" />
      </section>
    )
  }
  return (
    <>
      {error && (
        <p className="form-error" role="alert" data-testid="eval-error">
          {error}
        </p>
      )}
      {report === null && (
        <section className="eval-start" aria-label="Not evaluated yet" data-testid="eval-not-computed">
          <p>
            {evaluation?.state === 'failed'
              ? `The evaluation failed: ${evaluation.error ?? 'no reason given'}.`
              : evaluation?.state === 'cancelled'
                ? 'The evaluation was cancelled.'
                : `Epoch ${epoch} has not been evaluated on ${split} yet.`}{' '}
            <span className="muted">
              Every {split} photo{photos !== null ? ` (${formatCount(photos)})` : ''} is run through the checkpoint once; the result is kept, and
              matched again whenever a label changes.
            </span>
          </p>
          <button
            type="button"
            className="button is-primary"
            onClick={() => void state.start(evaluation !== null && evaluation.state !== 'running')}
            disabled={starting}
            data-testid="eval-start"
          >
            {starting ? 'Starting…' : evaluation ? 'Evaluate again' : `Evaluate on ${split}`}
          </button>
        </section>
      )}
    </>
  )
}

function Stat({ label, value, testId }: { label: string; value: number | null; testId: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value mono" data-testid={testId}>
        {value === null ? '–' : value.toFixed(3)}
      </span>
    </div>
  )
}

/** `value` once it has stayed the same for `ms`: the studio is asked when the slider rests, not on every step. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms)
    return () => window.clearTimeout(timer)
  }, [value, ms])
  return settled
}
