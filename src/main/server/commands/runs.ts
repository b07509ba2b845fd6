// `kindling runs --project DIR [--json]`: the project's training runs, newest first.
import type { Run } from '../../../shared/api.js'
import { parseOptions } from '../usage.js'
import { withProject } from '../cli-studio.js'
import { fixed } from './train.js'

export const RUNS_USAGE = `  kindling runs --project DIR [--json]          the project's training runs, newest first`

export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  return withProject(values.project, false, async (studio) => {
    const runs: Run[] = await studio.handlers['runs.list']({})
    if (values.json) console.log(JSON.stringify(runs))
    else if (runs.length === 0) console.log('No training runs yet: kindling train --project DIR --preset NAME')
    else {
      for (const r of runs) {
        console.log(
          `${String(r.id).padStart(4)}  ${r.state.padEnd(9)}  ${r.preset}  step ${r.step}/${r.steps}, epoch ${r.epoch}` +
            (r.settings.minutes === undefined ? `/${r.settings.epochs}` : ` of a ${r.settings.minutes}-minute run`) +
            (r.task === 'classify' ? `  best accuracy ${fixed(r.bestAccuracy)}` : `  best AP50 ${fixed(r.bestAp50)}`) +
            `  ${r.name}${r.error ? `\n        ${r.error}` : ''}`,
        )
      }
    }
    return 0
  })
}
