// Jobs from the UI: importing a folder of photos, and cancelling any running job (it keeps what it finished).
import type { Handlers, StudioContext } from '../studio.js'

type JobsMethod = 'import.start' | 'jobs.cancel'

export function jobsHandlers(ctx: StudioContext): Pick<Handlers, JobsMethod> {
  return {
    'import.start': ({ dir }) => ({ jobId: ctx.importFolder(dir).id }),
    'jobs.cancel': ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
  }
}
