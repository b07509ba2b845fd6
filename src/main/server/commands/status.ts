// `kindling status --project DIR [--json]`: the project's counts and the training backend this machine would use.
import { parseOptions } from '../usage.js'
import { withProject } from '../cli-studio.js'

export const STATUS_USAGE = '  kindling status --project DIR [--json]        counts of images, boxes, reviewed and kindled images, classes'

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  return withProject(values.project, false, async (studio, info) => {
    const backend = await studio.backend()
    const { byState, ...counts } = info.counts
    if (values.json) console.log(JSON.stringify({ ...counts, backend }))
    else {
      console.log(`${info.name} (${info.dir})`)
      console.log(`  images   ${counts.images}  (new ${byState.new}, kindled ${byState.kindled}, reviewed ${byState.reviewed})`)
      console.log(`  boxes    ${counts.boxes}`)
      console.log(`  classes  ${counts.classes}`)
      console.log(`  backend  ${describeBackend(backend)}`)
    }
    return 0
  })
}

const describeBackend = (b: { name: string; version: string; threads: number }) =>
  `${b.name} ${b.version}, ${b.threads} thread${b.threads === 1 ? '' : 's'}`
