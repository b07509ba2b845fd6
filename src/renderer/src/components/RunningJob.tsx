// A running job's line — what it is doing, done of total, speed, time left, Cancel — and the list of files a job
// skipped with the reason for each. Import and kindling show their jobs alike, so a user reads them the same way.
import { useState } from 'react'
import type { JobProgress, SkippedFile } from '../../../shared/api'
import { useStudio } from '../api/context'
import { formatCount, formatDuration, formatRate } from '../format'
import { ProgressBar } from './ProgressBar'

export interface RunningJobProps {
  job: JobProgress
  /** What the job is doing, before its total is known (e.g. "Looking for photos…") and after. */
  title: { counting: string; working: string }
  /** The progress bar's accessible name, e.g. "Import progress". */
  label: string
  /** Prefix of the test ids: `${testId}-progress`, `-count`, `-eta`, `-cancel`. */
  testId: string
}

export function RunningJob({ job, title, label, testId }: RunningJobProps) {
  const studio = useStudio()
  const [cancelling, setCancelling] = useState(false)
  const cancel = () => {
    setCancelling(true)
    studio.request('jobs.cancel', { jobId: job.jobId }).catch(() => setCancelling(false))
  }
  const rate = job.perSec === null ? null : `${formatRate(job.perSec)} photos/s`
  const eta = job.etaMs === null ? null : `about ${formatDuration(job.etaMs)} left`
  return (
    <section className="import-status" data-testid={`${testId}-progress`} aria-label={label}>
      <div className="import-status-line">
        <strong>{job.total === null ? title.counting : title.working}</strong>
        {job.total !== null && (
          <span className="mono" data-testid={`${testId}-count`}>
            {formatCount(job.done)} / {formatCount(job.total)}
          </span>
        )}
        <span className="muted" data-testid={`${testId}-eta`}>
          {[rate, eta].filter(Boolean).join(' · ')}
        </span>
        <span className="spacer" />
        <button type="button" className="button is-small" onClick={cancel} disabled={cancelling} data-testid={`${testId}-cancel`}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <ProgressBar done={job.done} total={job.total} label={label} />
    </section>
  )
}

export function SkippedList({ files, testId }: { files: SkippedFile[]; testId?: string }) {
  return (
    <ul className="skipped-list" data-testid={testId}>
      {files.map((file) => (
        <li key={file.path}>
          <span className="mono skipped-path" title={file.path}>
            {file.path}
          </span>
          <span className="skipped-reason">{file.reason}</span>
        </li>
      ))}
    </ul>
  )
}
