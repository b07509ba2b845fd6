// "Export": the run's best checkpoint leaves the studio as ONNX (what ONNX Runtime runs on the Pi) and TF.js, with
// detector.json saying how to run it without the studio — and, when asked, as int8 with what it costs in accuracy
// (a detector's val AP50, a classifier's val accuracy, against fp32), shown here before anyone deploys it. A job like predicting: one at a time, with Cancel.
import { useCallback, useEffect, useState } from 'react'
import type { JobProgress, ModelExport, Run } from '../../../../shared/api'
import { int8CostText } from '../../../../shared/int8-cost'
import { useConnection, useStudio } from '../../api/context'
import { errorMessage, messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'

export interface ExportPanelProps {
  run: Run
  /** A job is running: exporting waits for it. */
  busy: boolean
  jobs: JobProgress[]
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

function useExports(runId: number, refreshWhen: unknown) {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [exports, setExports] = useState<ModelExport[]>([])
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(() => {
    let current = true
    studio.request('export.list', { runId }).then(
      (loaded) => current && (setExports(loaded), setError(null)),
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio, runId])
  useEffect(() => (open ? load() : undefined), [open, load, refreshWhen])
  return { exports, error }
}

export function ExportPanel({ run, busy, jobs }: ExportPanelProps) {
  const studio = useStudio()
  const [int8, setInt8] = useState(false)
  const [jobId, setJobId] = useState<string | null>(null)
  const start = useSubmit(
    () => studio.request('export.start', { runId: run.id, int8 }),
    (started) => setJobId(started.jobId),
  )
  const startError = messageForForm(start.error, [])
  const job = (jobId ? jobs.find((j) => j.jobId === jobId) : undefined) ?? jobs.find((j) => j.kind === 'export' && j.state === 'running') ?? null
  const { exports, error } = useExports(run.id, job?.state)
  const startedUnseen = jobId !== null && !jobs.some((j) => j.jobId === jobId)
  const disabledWhy = !run.bestCheckpoint
    ? 'The run has no checkpoint yet: the first evaluation writes one'
    : busy || startedUnseen
      ? 'A job is running'
      : null

  return (
    <section className="train-predict" aria-label="Export the model" data-testid="run-export">
      <form
        className="train-predict-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (!disabledWhy) void start.submit()
        }}
      >
        <label
          className="radio"
          title={`Also an int8 model: calibrated on the project's train photos, scored against fp32 on val (${run.task === 'classify' ? 'accuracy' : 'AP50'})`}
        >
          <input type="checkbox" checked={int8} onChange={(e) => setInt8(e.target.checked)} data-testid="export-int8" /> int8 too
        </label>
        <button
          type="submit"
          className="button"
          disabled={disabledWhy !== null || start.busy}
          title={disabledWhy ?? 'Write the best checkpoint as ONNX and TF.js into the project’s exports folder'}
          data-testid="export-start"
        >
          {start.busy ? 'Starting…' : 'Export model'}
        </button>
      </form>
      {startError && (
        <p className="form-error" role="alert" data-testid="export-error">
          {startError}
        </p>
      )}
      {job?.state === 'running' && (
        <p className="muted" role="status" data-testid="export-running">
          {job.message ?? 'Exporting…'}
        </p>
      )}
      {job?.state === 'failed' && (
        <p className="form-error" role="alert" data-testid="export-failed">
          Export failed: {job.message ?? 'unknown reason'}
        </p>
      )}
      {error && <p className="form-error">{error}</p>}
      {exports.length > 0 && (
        <ul className="train-exports" data-testid="export-list">
          {exports.map((e) => (
            <li key={e.dir} data-testid="export-item">
              <div>
                Epoch {e.epoch} → <code className="train-export-dir">{e.dir}</code>
              </div>
              <div className="muted">
                {e.files
                  .filter((f) => f.name.endsWith('.onnx') || f.name.endsWith('.bin'))
                  .map((f) => `${f.name} ${megabytes(f.bytes)}`)
                  .join(' · ')}
              </div>
              {e.int8 && <div data-testid="export-int8-cost">{int8CostText(e.int8)}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
