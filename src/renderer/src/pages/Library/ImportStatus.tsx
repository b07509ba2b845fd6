// A running import (done/total, speed, time left, Cancel) or, once it ends, what it did, with the skipped files and
// why each was skipped.
import { useState } from 'react'
import type { JobProgress } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { ProgressBar } from '../../components/ProgressBar'
import { formatCount, formatDuration, formatRate, plural } from '../../format'

export function ImportStatus({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  return job.state === 'running' ? <ImportRunning job={job} /> : <ImportSummary job={job} onDismiss={onDismiss} />
}

function ImportRunning({ job }: { job: JobProgress }) {
  const studio = useStudio()
  const [cancelling, setCancelling] = useState(false)
  const cancel = () => {
    setCancelling(true)
    studio.request('jobs.cancel', { jobId: job.jobId }).catch(() => setCancelling(false))
  }
  const rate = job.perSec === null ? null : `${formatRate(job.perSec)} photos/s`
  const eta = job.etaMs === null ? null : `about ${formatDuration(job.etaMs)} left`

  return (
    <section className="import-status" data-testid="import-progress" aria-label="Import progress">
      <div className="import-status-line">
        <strong>{job.total === null ? 'Looking for photos…' : 'Importing photos'}</strong>
        {job.total !== null && (
          <span className="mono">
            {formatCount(job.done)} / {formatCount(job.total)}
          </span>
        )}
        <span className="muted">{[rate, eta].filter(Boolean).join(' · ')}</span>
        <span className="spacer" />
        <button type="button" className="button is-small" onClick={cancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <ProgressBar done={job.done} total={job.total} label="Import progress" />
    </section>
  )
}

function ImportSummary({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  const [showSkipped, setShowSkipped] = useState(false)
  const imported = plural(job.imported, 'photo')
  const headline = {
    done: `Imported ${imported}`,
    cancelled: `Import cancelled · ${imported} imported`,
    failed: `Import failed · ${imported} imported`,
    running: '',
  }[job.state]

  return (
    <section className={`import-status is-${job.state}`} aria-label="Import summary">
      <div className="import-status-line">
        <Icon name={job.state === 'done' ? 'check' : 'alert'} />
        <span data-testid="import-summary">
          {headline}
          {job.duplicates > 0 && ` · ${formatCount(job.duplicates)} already in the project`}
          {job.skipped.length > 0 && (
            <>
              {' · '}
              <button
                type="button"
                className="link-button"
                aria-expanded={showSkipped}
                onClick={() => setShowSkipped((shown) => !shown)}
              >
                {formatCount(job.skipped.length)} skipped
                <span className="disclosure" aria-hidden="true">
                  <Icon name="chevron" size={12} />
                </span>
              </button>
            </>
          )}
        </span>
        <span className="muted">in {formatDuration(job.elapsedMs)}</span>
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <Icon name="close" />
        </button>
      </div>
      {job.message && <p className="field-error">{job.message}</p>}
      {showSkipped && (
        <ul className="skipped-list" data-testid="skipped-list">
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
