// The Library's "Kindle" request: a teacher labels the project's photos (or a selection) as a job.
import type { Handlers, StudioContext } from '../studio.js'
import { zoomOutFactor } from './job.js'

export function kindleHandlers(ctx: StudioContext): Pick<Handlers, 'kindle.start'> {
  return {
    // The API says zoom-out on or off, as the CLI does; the job takes the factor.
    'kindle.start': ({ zoomOut, ...options }) => ({
      jobId: ctx.kindle({ ...options, zoomOut: zoomOut === undefined ? undefined : zoomOutFactor(zoomOut) }).job.id,
    }),
  }
}
