// `kindling import PHOTOS --project DIR [--json]`: import a folder of photos (recursively) as a job, creating the project
// if the folder has none; with `--labels FILE…`, the photos come with their boxes (labels.ts reads the options).
import type { JobProgress } from '../../../shared/api.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'
import { describeImport, labelsImportOptions } from '../label-options.js'

export const IMPORT_USAGE = '  kindling import PHOTOS --project DIR [--json] import a folder of photos (recursively) into a project'

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      project: { type: 'string' },
      json: { type: 'boolean' },
      labels: { type: 'string', multiple: true },
      format: { type: 'string' },
    },
    1,
  )
  const dir = positionals[0]
  if (!dir) throw new UsageError('which folder? kindling import PHOTOS --project DIR')
  const labels = labelsImportOptions({ dir, labels: values.labels, format: values.format })
  return withProject(values.project, true, async (studio) => {
    if (!labels) {
      const { final } = await runJobFromCli(studio, () => ({ job: studio.importFolder(dir) }), {
        json: values.json,
        progressLine: filesLine,
      })
      printImportSummary(final, values.json)
      return final.state === 'done' ? 0 : 1
    }
    const started = () => {
      const { job, result } = studio.importLabels(labels)
      result.catch(() => {}) // the job's end reports the failure
      return { job, result }
    }
    const { final, result } = await runJobFromCli(studio, started, { json: values.json, progressLine: filesLine })
    if (final.message) console.error(`kindling: ${final.message}`)
    if (final.state !== 'done') return 1
    const imported = await result
    if (values.json) console.log(JSON.stringify(imported))
    else for (const line of describeImport(imported)) console.log(line)
    return 0
  })
}

/** The progress line of an import: files done, of how many, and the time left. */
export function filesLine(p: JobProgress): string {
  const eta = p.etaMs === null ? '' : `, ${Math.ceil(p.etaMs / 1000)} s left`
  return `${p.done}/${p.total ?? '?'} files${eta}`
}

/** What an import did: its final progress as JSON, or counts and the files skipped (with why) as lines. */
export function printImportSummary(p: JobProgress, json = false) {
  if (json) {
    console.log(JSON.stringify(p))
    return
  }
  const seconds = (p.elapsedMs / 1000).toFixed(1)
  const verb = { done: 'Imported', cancelled: 'Cancelled after importing', failed: 'Failed after importing', running: '' }
  console.log(
    `${verb[p.state]} ${p.imported} photo${p.imported === 1 ? '' : 's'} in ${seconds} s` +
      (p.duplicates ? `; ${p.duplicates} already in the project` : ''),
  )
  if (p.skipped.length) {
    console.log(`Skipped ${p.skipped.length} file${p.skipped.length === 1 ? '' : 's'}:`)
    for (const s of p.skipped) console.log(`  ${s.path}: ${s.reason}`)
  }
  if (p.message) console.error(`kindling: ${p.message}`)
}
