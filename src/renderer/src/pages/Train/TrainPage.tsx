// The Train page: a form that starts a run, the project's runs, and the chosen run — its progress or why it stopped,
// its live curves and its details. Runs are jobs like import and kindling: one job at a time, shown in the status bar.
import { useState } from 'react'
import type { JobProgress, ProjectInfo, Run } from '../../../../shared/api'
import { parseHash } from '../../state/usePage'
import '../../styles/train.css'
import { NewRunForm } from './NewRunForm'
import { RunDetail } from './RunDetail'
import { RunList } from './RunList'
import { useRuns } from './useRuns'

/** The run a `#train?run=ID` hash names (a reload comes back to it), or null. */
function runInHash(): number | null {
  const raw = parseHash(location.hash).params.get('run')
  return raw !== null && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null
}

export function TrainPage({ project, jobs }: { project: ProjectInfo; jobs: JobProgress[] }) {
  const { runs, error } = useRuns()
  const [chosen, setChosen] = useState<number | null>(runInHash)
  // The job each run was started or resumed with here: the job's progress does not name its run.
  const [jobOfRun, setJobOfRun] = useState<ReadonlyMap<number, string>>(new Map())
  // The run "Fine-tune with new classes…" was chosen on: the form fine-tunes it until started or cancelled.
  const [fineTuneOf, setFineTuneOf] = useState<Run | null>(null)

  const select = (runId: number) => {
    setChosen(runId)
    // Not a navigation (no hashchange): only so that a reload shows the same run.
    history.replaceState(null, '', `#train?run=${runId}`)
  }
  const started = ({ jobId, runId }: { jobId: string; runId: number }) => {
    setJobOfRun((held) => new Map(held).set(runId, jobId))
    select(runId)
  }

  // Until its first progress report, a just-started job counts as running (Start must not be pressed twice) — unless
  // its run has already ended, so that a report lost to a dropped connection cannot keep Start disabled for ever.
  const startedUnseen = [...jobOfRun].some(
    ([runId, jobId]) => !jobs.some((job) => job.jobId === jobId) && (runs?.find((r) => r.id === runId)?.state ?? 'running') === 'running',
  )
  const busy = startedUnseen || jobs.some((job) => job.state === 'running')

  const run = runs?.find((r) => r.id === chosen) ?? runs?.[0] ?? null
  const runningTrainJobs = jobs.filter((job) => job.kind === 'train' && job.state === 'running')
  // One job at a time: a running run's job is the one it was started with here, or else the one training job running
  // (a run started by the CLI, or before a reload).
  const knownJob = run ? jobOfRun.get(run.id) : undefined
  const job =
    run?.state === 'running'
      ? (runningTrainJobs.find((j) => j.jobId === knownJob) ?? (runningTrainJobs.length === 1 ? runningTrainJobs[0] : null))
      : null

  return (
    <div className="train" data-testid="train-page">
      <aside className="train-side">
        <NewRunForm
          busy={busy}
          counts={project.counts}
          onStarted={started}
          fineTuneOf={fineTuneOf}
          onCancelFineTune={() => setFineTuneOf(null)}
        />
        <section className="train-runs-section" aria-label="Runs">
          <h2>Runs</h2>
          <a
            className="button is-small"
            href="#compare"
            title="The runs side by side: accuracy against speed on a device"
            data-testid="open-compare"
          >
            Compare runs
          </a>
          {error && <p className="form-error">Could not load the runs: {error}</p>}
          <RunList runs={runs} selected={run?.id ?? null} onSelect={select} />
        </section>
      </aside>
      <section className="train-main">
        {runs === null ? null : run ? (
          <RunDetail key={run.id} run={run} job={job} busy={busy} jobs={jobs} onResumed={started} onFineTune={setFineTuneOf} />
        ) : (
          <div className="train-empty">
            <h2>No run yet</h2>
            <p className="muted">
              Start a run on the left: the losses and the evaluations on val appear here as it trains, and its best checkpoint can go straight to
              a device.
            </p>
          </div>
        )}
      </section>
    </div>
  )
}
