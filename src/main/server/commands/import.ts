// `kindling import PHOTOS --project DIR [--json]`: import a folder of photos (recursively) as a job, creating the project
// if the folder has none; with `--labels FILE…`, the photos come with their boxes, with `--tags FILE.csv` with their
// tags (label-options.ts reads the options).
import type { JobProgress } from '../../../shared/api.js'
import { importTags, readTagsCsv, type ImportTagsOptions } from '../../formats/index.js'
import type { Studio } from '../../studio.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'
import { describeImport, describeTagsImport, labelsImportOptions, tagsImportOptions } from '../label-options.js'

export const IMPORT_USAGE = '  kindling import PHOTOS --project DIR [--json] import a folder of photos (recursively) into a project'

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      project: { type: 'string' },
      json: { type: 'boolean' },
      labels: { type: 'string', multiple: true },
      format: { type: 'string' },
      tags: { type: 'string' },
      'tag-columns': { type: 'string' },
    },
    1,
  )
  const dir = positionals[0]
  if (!dir) throw new UsageError('which folder? kindling import PHOTOS --project DIR')
  const labels = labelsImportOptions({ dir, labels: values.labels, format: values.format })
  const tags = tagsImportOptions({ dir, tags: values.tags, tagColumns: values['tag-columns'] })
  // A malformed tags file is refused before a photo goes in (which rows name photos is checked after the import).
  if (tags) await readTagsCsv(tags)
  return withProject(values.project, true, async (studio) => {
    if (!labels) {
      const { final } = await runJobFromCli(studio, () => ({ job: studio.importFolder(dir) }), {
        json: values.json && !tags,
        progressLine: filesLine,
      })
      if (!tags) printImportSummary(final, values.json)
      else if (!values.json) printImportSummary(final)
      if (final.state !== 'done') return 1
      return tags ? importTagsFromCli(studio, tags, values.json) : 0
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
    if (values.json && !tags) console.log(JSON.stringify(imported))
    else if (!values.json) for (const line of describeImport(imported)) console.log(line)
    return tags ? importTagsFromCli(studio, tags, values.json) : 0
  })
}

/** The tags of a CSV onto the project's photos, all or nothing; a refused file is reported as the command's error. */
async function importTagsFromCli(studio: Studio, options: ImportTagsOptions, json = false): Promise<number> {
  const result = await importTags(studio.requireStore(), options)
  if (json) console.log(JSON.stringify(result))
  else for (const line of describeTagsImport(result)) console.log(line)
  return 0
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
