// `kindling demo [--project DIR] [--json]`: create (or reopen) the demo project and import the sample photos into it.
import path from 'node:path'
import { parseOptions } from '../usage.js'
import { filesLine, printImportSummary } from './import.js'
import { runJobFromCli, withStudio } from '../cli-studio.js'

export const DEMO_USAGE = '  kindling demo   [--project DIR]               create the demo project from the sample photos'

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  return withStudio(async (studio) => {
    const { project, final } = await runJobFromCli(studio, () => studio.createDemo(values.project && path.resolve(values.project)), {
      json: values.json,
      progressLine: filesLine,
    })
    printImportSummary(final, values.json)
    if (!values.json) console.log(`Demo project ready in ${project.dir}: kindling serve --project ${project.dir}`)
    return final.state === 'done' ? 0 : 1
  })
}
