// A running kindling job (photos done of the total, speed, time left, Cancel) or, once it ends, what it did.
import type { JobProgress } from '../../../../shared/api'
import { Icon } from '../../components/Icon'
import { RunningJob, SkippedList } from '../../components/RunningJob'
import { formatCount, formatDuration, plural } from '../../format'

export function KindleStatus({ job, onDismiss }: { job: JobProgress; onDismiss(): void }) {
  if (job.state !== 'running') return <KindleSummary job={job} onDismiss={onDismiss} />
  return (
    <RunningJob job={job} title={{ counting: 'Loading the teacher…', working: 'Kindling photos' }} label="Kindling progress" testId="kindle" />
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
      {job.skipped.length > 0 && <SkippedList files={job.skipped} />}
    </section>
  )
}
