// `kindling export --format F --out DIR --project DIR …`: write the project's labels in a format (labels.ts reads the
// options and describes the result; its LABELS_USAGE documents this command).
import { parseOptions, UsageError } from '../usage.js'
import { withProject } from '../cli-studio.js'
import { exportTags } from '../../formats/index.js'
import { describeExport, describeTagsExport, labelsExportOptions } from '../label-options.js'

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    sources: { type: 'string' },
    overwrite: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (values.format === 'tags-csv') {
    if (!values.out) throw new UsageError('--out DIR is required')
    if (values.sources !== undefined) throw new UsageError('--sources is for box labels; tags-csv writes people’s, imported and kindled tags')
    const outDir = values.out
    return withProject(values.project, false, async (studio) => {
      const result = await exportTags(studio.requireStore(), { outDir, overwrite: values.overwrite })
      if (values.json) console.log(JSON.stringify(result))
      else for (const line of describeTagsExport(result)) console.log(line)
      return 0
    })
  }
  const options = labelsExportOptions(values)
  return withProject(values.project, false, async (studio) => {
    const result = await studio.exportLabels(options)
    if (values.json) console.log(JSON.stringify(result))
    else for (const line of describeExport(result)) console.log(line)
    return 0
  })
}
