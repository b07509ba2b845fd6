// Which jobs the Library's two status banners show. A finished job's summary describes the project as that job left
// it ("Kindled 6 photos"): once a later job that changes photos starts (an import after a kindling), or another
// process changes the project, it describes a state the project has moved on from, and goes. A running job is always
// shown; a finished one until it is dismissed (its close button) or overtaken.
import type { JobProgress } from '../../../../shared/api'

/** The jobs that change the photos or their boxes: starting one overtakes an earlier one's summary. */
const CHANGES_PHOTOS: ReadonlySet<JobProgress['kind']> = new Set(['import', 'kindle', 'predict'])

export interface Banners {
  import?: JobProgress
  kindle?: JobProgress
}

/** `jobs` oldest first (as the session keeps them), with any just-started job not yet reported at the end. */
export function banners(jobs: readonly JobProgress[], dismissed: ReadonlySet<string>): Banners {
  const shown = (kind: 'import' | 'kindle'): JobProgress | undefined => {
    const at = jobs.findLastIndex((job) => job.kind === kind && !dismissed.has(job.jobId))
    if (at < 0) return undefined
    const job = jobs[at]
    if (job.state === 'running') return job
    const overtaken = jobs.slice(at + 1).some((later) => CHANGES_PHOTOS.has(later.kind))
    return overtaken ? undefined : job
  }
  return { import: shown('import'), kindle: shown('kindle') }
}

/** The finished jobs' ids: what another process's change to the project dismisses. */
export const finishedJobs = (jobs: readonly JobProgress[]): string[] => jobs.filter((job) => job.state !== 'running').map((job) => job.jobId)
