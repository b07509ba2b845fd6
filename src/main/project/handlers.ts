// The studio's and the open project's requests: what the UI asks on load, opening a folder, the demo, the counts.
// The lifecycle itself (open, close, the demo's import) is the studio's; these only answer for it.
import { StudioError } from '../../shared/api.js'
import type { Handlers, StudioContext } from '../studio.js'

type ProjectMethod = 'studio.info' | 'project.open' | 'project.demo' | 'project.counts' | 'project.forget'

export function projectHandlers(ctx: StudioContext): Pick<Handlers, ProjectMethod> {
  return {
    'studio.info': async () => ({
      version: ctx.version,
      project: ctx.project ? ctx.info() : null,
      recent: ctx.recent.entries(),
      demoDir: ctx.demoDir,
      jobs: ctx.jobs.running(),
      backend: await ctx.backend(),
    }),
    'project.open': ({ dir, create }) => ctx.openProject(dir, { create }),
    'project.demo': async ({ dir }) => (await ctx.createDemo(dir)).project,
    'project.counts': () => ctx.requireStore().counts(),
    'project.forget': async ({ dir }) => {
      if (!(await ctx.recent.forget(dir))) throw new StudioError(`not in the recent projects: ${dir}`, 'not_found', 'params.dir')
      return ctx.recent.entries()
    },
  }
}
