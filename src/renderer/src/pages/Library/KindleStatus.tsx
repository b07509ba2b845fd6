// A running kindling job (photos done of the total, speed, time left, Cancel) or, once it ends, what it did.
import { useState } from 'react'
import type { JobProgress } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { ProgressBar } from '../../components/ProgressBar'
import { formatCount, formatDuration, formatRate, plural } from '../../format'

export function KindleStatus({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  return job.state === 'running' ? <KindleRunning job={job} /> : <KindleSummary job={job} onDismiss={onDismiss} />
}

function KindleRunning({ job }: { job: JobProgress }) {
  const studio = useStudio()
  const [cancelling, setCancelling] = useState(false)
  const cancel = () => {
    setCancelling(true)
    studio.request('jobs.cancel', { jobId: job.jobId }).catch(() => setCancelling(false))
  }
  const rate = job.perSec === null ? null : `${formatRate(job.perSec)} photos/s`
  const eta = job.etaMs === null ? null : `about ${formatDuration(job.etaMs)} left`
  return (
    <section className="import-status" data-testid="kindle-progress" aria-label="Kindling progress">
      <div className="import-status-line">
        <strong>{job.total === null ? 'Loading the teacher…' : 'Kindling photos'}</strong>
        {job.total !== null && (
          <span className="mono" data-testid="kindle-count">
            {formatCount(job.done)} / {formatCount(job.total)}
          </span>
        )}
        <span className="muted" data-testid="kindle-eta">
          {[rate, eta].filter(Boolean).join(' · ')}
        </span>
        <span className="spacer" />
        <button type="button" className="button is-small" onClick={cancel} disabled={cancelling} data-testid="kindle-cancel">
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <ProgressBar done={job.done} total={job.total} label="Kindling progress" />
    </section>
  )
}

function KindleSummary({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  const kindled = plural(job.done - job.skipped.length, 'photo')
  const headline = {
    done: job.total === 0 ? 'Nothing to kindle: every photo in scope is kindled or reviewed' : `Kindled ${kindled}`,
    cancelled: `Kindling cancelled · ${kindled} kindled and kept`,
    failed: 'Kindling failed',
    running: '',
  }[job.state]
  return (
    <section className={`import-status is-${job.state}`} aria-label="Kindling summary">
      <div className="import-status-line">
        <Icon name={job.state === 'done' ? 'check' : 'alert'} />
        <span data-testid="kindle-summary">
          {headline}
          {job.skipped.length > 0 && ` · ${formatCount(job.skipped.length)} could not be read`}
        </span>
        <span className="muted">in {formatDuration(job.elapsedMs)}</span>
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <Icon name="close" />
        </button>
      </div>
      {job.message && <p className="field-error">{job.message}</p>}
      {job.skipped.length > 0 && (
        <ul className="skipped-list">
          {job.skipped.map((file) => (
            <li key={file.path}>
              <span className="mono skipped-path" title={file.path}>
                {file.path}
              </span>
              <span className="skipped-reason">{file.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
