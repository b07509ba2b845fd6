// A running import (done/total, speed, time left, Cancel) or, once it ends, what it did, with the skipped files and
// why each was skipped.
import { useState } from 'react'
import type { JobProgress } from '../../../../shared/api'
import { Icon } from '../../components/Icon'
import { RunningJob, SkippedList } from '../../components/RunningJob'
import { formatCount, formatDuration, plural } from '../../format'

export function ImportStatus({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  if (job.state !== 'running') return <ImportSummary job={job} onDismiss={onDismiss} />
  return (
    <RunningJob job={job} title={{ counting: 'Looking for photos…', working: 'Importing photos' }} label="Import progress" testId="import" />
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
              <button type="button" className="link-button" aria-expanded={showSkipped} onClick={() => setShowSkipped((shown) => !shown)}>
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
      {showSkipped && <SkippedList files={job.skipped} testId="skipped-list" />}
    </section>
  )
}
