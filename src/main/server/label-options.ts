// The command-line side of label import and export: turning `kindling import … --labels` and `kindling export`
// arguments into options (a bad one is a usage error, exit code 2) and results into the lines printed.
import path from 'node:path'
import {
  DEFAULT_EXPORT_SOURCES,
  FORMAT_NAMES,
  isFormatName,
  type ExportLabelsOptions,
  type ExportLabelsResult,
  type FormatName,
  type ImportLabelsOptions,
  type ImportLabelsResult,
  parseTagColumns,
  type ExportTagsResult,
  type ImportTagsOptions,
  type ImportTagsResult,
} from '../formats/index.js'
import type { BoxSource } from '../../shared/api.js'
import { UsageError } from './usage.js'

export const LABELS_USAGE = `  kindling import PHOTOS --labels FILE [--labels FILE…] [--format auto|${FORMAT_NAMES.join('|')}] --project DIR
                                                import photos with their labels (image paths in FILE are relative to PHOTOS)
  kindling export --format ${FORMAT_NAMES.join('|')} --out DIR --project DIR [--sources human,kindled] [--overwrite]
                                                write the project's labels in a format (paths relative to the photos' common folder)
  kindling import PHOTOS --tags FILE.csv [--tag-columns COLUMN[=TAG],…] --project DIR
                                                import photos with their tags from a CSV of file,TAG… columns (1/0, empty:
                                                no say); --tag-columns picks and names them, e.g. smile=smiling for GENKI-4K
  kindling export --format tags-csv --out DIR --project DIR [--overwrite]
                                                write every photo's tags (people's, imported, kindled) to DIR/tags.csv`

const SOURCES: BoxSource[] = ['human', 'kindled', 'predicted']

function formatOption(value: string | undefined, allowAuto: boolean): FormatName | 'auto' {
  if (value === undefined) {
    if (allowAuto) return 'auto'
    throw new UsageError(`--format is required (${[...FORMAT_NAMES, 'tags-csv'].join(', ')})`)
  }
  if (isFormatName(value) || (allowAuto && value === 'auto')) return value
  // Import reads tags with --tags; export writes them as a format of its own.
  const formats = allowAuto ? ['auto', ...FORMAT_NAMES] : [...FORMAT_NAMES, 'tags-csv']
  throw new UsageError(`--format must be ${formats.join(', ')}, not ${JSON.stringify(value)}`)
}

/**
 * `kindling import PHOTOS --labels FILE [--format F]`: the options for importLabels, or undefined when there is no
 * --labels (a plain photo import). parseArgs gives `labels` as a string, or an array with `multiple: true`.
 */
export function labelsImportOptions(values: {
  dir: string
  labels?: string | string[]
  format?: string
}): Omit<ImportLabelsOptions, 'ctx' | 'importOptions'> | undefined {
  const labels = [values.labels ?? []].flat()
  if (labels.length === 0) {
    if (values.format !== undefined) throw new UsageError('--format needs --labels FILE')
    return undefined
  }
  const format = formatOption(values.format, true)
  return { labelsFile: labels.map((f) => path.resolve(f)), imagesDir: path.resolve(values.dir), format, images: 'import' }
}

/** `kindling export --format F --out DIR [--sources human,kindled] [--overwrite]`. */
export function labelsExportOptions(values: { format?: string; out?: string; sources?: string; overwrite?: boolean }): ExportLabelsOptions {
  const format = formatOption(values.format, false) as FormatName
  if (!values.out) throw new UsageError('--out DIR is required')
  const sources = values.sources === undefined ? DEFAULT_EXPORT_SOURCES : values.sources.split(',').map((s) => s.trim())
  for (const s of sources) {
    if (!(SOURCES as string[]).includes(s)) throw new UsageError(`--sources takes ${SOURCES.join(', ')}, not ${JSON.stringify(s)}`)
  }
  return { format, outDir: path.resolve(values.out), sources: sources as BoxSource[], overwrite: values.overwrite ?? false }
}

export function describeImport(r: ImportLabelsResult): string[] {
  const lines = [
    `Imported ${r.boxes} box${r.boxes === 1 ? '' : 'es'} on ${r.images} photo${r.images === 1 ? '' : 's'} ` +
      `(${[...new Set(r.formats)].join(', ')})` +
      (r.duplicates ? `; ${r.duplicates} already in the project` : '') +
      (r.clipped ? `; ${r.clipped} clipped to the photo's edge` : ''),
  ]
  if (r.newClasses.length) lines.push(`New classes: ${r.newClasses.join(', ')}`)
  if (r.photos) lines.push(`Photos: ${r.photos.imported} imported, ${r.photos.duplicates} already in the project`)
  for (const s of r.photos?.skipped ?? []) lines.push(`  skipped ${s.path}: ${s.reason}`)
  return lines
}

/** `--tags FILE [--tag-columns smile=smiling]`: the options for importTags, or undefined without --tags. */
export function tagsImportOptions(values: { dir: string; tags?: string; tagColumns?: string }): ImportTagsOptions | undefined {
  if (values.tags === undefined) {
    if (values.tagColumns !== undefined) throw new UsageError('--tag-columns needs --tags FILE.csv')
    return undefined
  }
  let columns: Map<string, string> | undefined
  try {
    columns = values.tagColumns === undefined ? undefined : parseTagColumns(values.tagColumns)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  return { csvFile: path.resolve(values.tags), imagesDir: path.resolve(values.dir), columns }
}

export function describeTagsImport(r: ImportTagsResult): string[] {
  return [
    `Imported ${r.tags} tag value${r.tags === 1 ? '' : 's'} (${r.names.join(', ')}) on ${r.photos} photo${r.photos === 1 ? '' : 's'}; ` +
      `${r.set} set, ${r.tags - r.set} not set` +
      (r.repeated ? `; ${r.repeated} row${r.repeated === 1 ? '' : 's'} named a photo again` : ''),
  ]
}

export function describeTagsExport(r: ExportTagsResult): string[] {
  return [
    `Exported ${r.tags} tag value${r.tags === 1 ? '' : 's'} (${r.names.join(', ') || 'no tags'}) of ${r.photos} photo${r.photos === 1 ? '' : 's'} into ${r.file}`,
    `File names are relative to ${r.imageRoot}; import back with: kindling import ${r.imageRoot} --tags ${r.file}`,
  ]
}

export function describeExport(r: ExportLabelsResult): string[] {
  return [
    `Exported ${r.boxes} box${r.boxes === 1 ? '' : 'es'} on ${r.images} photo${r.images === 1 ? '' : 's'} as ${r.format} ` +
      `into ${r.outDir} (${r.files.length} file${r.files.length === 1 ? '' : 's'})`,
    `Image paths are relative to ${r.imageRoot}; import back with: kindling import ${r.imageRoot} --labels ${r.labelsFile} --format ${r.format}`,
  ]
}
