// Image tags in and out of the store as CSV (tags-csv.ts reads and writes the text). All or nothing, like the label
// formats: every row is parsed and matched to a photo of the project before one tag is written, and then they are all
// written in one transaction. Imported tags are the `imported` layer (a person's own say stays on top of them);
// importing the file again replaces that layer's values, so it is harmless. A photo the project has under another path
// (the same content: the project keeps one copy) is found by its content hash; a row naming a photo the project has
// not got is refused, naming its line.
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Store } from '../store/index.js'
import { commonFolder, prepareFolder } from './export.js'
import { LabelFileError } from './label-set.js'
import { parseTagsCsv, writeTagsCsv, type TagsCsv } from './tags-csv.js'

export const TAGS_CSV_FILE = 'tags.csv'

export interface ImportTagsOptions {
  csvFile: string
  /** The folder the CSV's file names are relative to. */
  imagesDir: string
  /** CSV column → tag name; without it every column but `file` is a tag of its own name. */
  columns?: ReadonlyMap<string, string>
}

export interface ImportTagsResult {
  /** Tag names, in the CSV's column order. */
  names: string[]
  /** Photos that got at least one tag. */
  photos: number
  /** Tag values written, and of them how many say the tag is set. */
  tags: number
  set: number
  /** Rows naming a photo another row already named with the same values (GENKI-4K has 14). */
  repeated: number
}

/** Read and check a tags CSV (not the photos): the part of an import that can fail before any photo goes in. */
export async function readTagsCsv(options: ImportTagsOptions): Promise<TagsCsv> {
  const file = path.resolve(options.csvFile)
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(e.code === 'ENOENT' ? `tags file not found: ${file}` : `cannot read ${file}: ${e.message}`)
  })
  return parseTagsCsv(text, path.basename(file), options.columns)
}

export async function importTags(store: Store, options: ImportTagsOptions): Promise<ImportTagsResult> {
  const csv = await readTagsCsv(options)
  const imagesDir = path.resolve(options.imagesDir)
  const name = path.basename(options.csvFile)

  // 1. Every row to a photo of the project, before anything is written.
  const byPhoto = new Map<number, { line: number; tags: Map<string, boolean> }>()
  let repeated = 0
  for (const row of csv.rows) {
    const abs = path.resolve(imagesDir, row.file)
    const id = store.images.atPath(abs)?.id ?? (await byContent(store, abs))
    if (id === undefined) {
      throw new LabelFileError({ file: name, line: row.line }, `no photo "${row.file}" in the project (looked for ${abs})`)
    }
    const earlier = byPhoto.get(id)
    if (earlier) {
      for (const [tag, value] of row.tags) {
        if (earlier.tags.has(tag) && earlier.tags.get(tag) !== value) {
          throw new LabelFileError(
            { file: name, line: row.line },
            `"${row.file}" is the photo of line ${earlier.line}, which says ${tag} is ${earlier.tags.get(tag) ? 1 : 0}; this line says ${value ? 1 : 0}`,
          )
        }
        earlier.tags.set(tag, value)
      }
      repeated++
      continue
    }
    byPhoto.set(id, { line: row.line, tags: new Map(row.tags) })
  }

  // 2. All of them in one transaction.
  let tags = 0
  let set = 0
  const now = Date.now()
  store.transaction(() => {
    for (const [imageId, photo] of byPhoto) {
      for (const [tag, value] of photo.tags) {
        store.tagTable.put({ imageId, name: tag, value, source: 'imported' }, now)
        tags++
        if (value) set++
      }
    }
  })
  return { names: csv.names, photos: [...byPhoto.values()].filter((p) => p.tags.size > 0).length, tags, set, repeated }
}

/** The project's photo with the same content as the file at `abs`, if the file exists. */
async function byContent(store: Store, abs: string): Promise<number | undefined> {
  const bytes = await fs.readFile(abs).catch(() => undefined)
  if (!bytes) return undefined
  return store.imageWithSha(createHash('sha256').update(bytes).digest('hex'))?.id
}

export interface ExportTagsOptions {
  outDir: string
  /** Write into a folder that already has files in it (a tags.csv there is replaced). */
  overwrite?: boolean
}

export interface ExportTagsResult {
  outDir: string
  /** The folder the file names are relative to: `imagesDir` when importing back. */
  imageRoot: string
  file: string
  names: string[]
  photos: number
  tags: number
}

/**
 * Write every photo's tags as CSV: per photo and tag the top layer that is a label (a person's, imported or kindled —
 * never a model's prediction), every photo a row (an empty cell: nothing said), file names relative to the photos'
 * common folder, as the label export does.
 */
export async function exportTags(store: Store, options: ExportTagsOptions): Promise<ExportTagsResult> {
  const outDir = path.resolve(options.outDir)
  const { photos, labels } = store.transaction(() => ({ photos: store.images.byPath(), labels: store.tagTable.labels() }))
  if (photos.length === 0) throw new Error('nothing to export: the project has no photos')
  const imageRoot = commonFolder(photos.map((p) => p.path))
  const tagsOf = new Map<number, Map<string, boolean>>(photos.map((p) => [p.id, new Map()]))
  for (const l of labels) tagsOf.get(l.imageId)?.set(l.name, l.value)
  const names = [...new Set(labels.map((l) => l.name))].sort()
  const text = writeTagsCsv(
    names,
    photos.map((p) => ({ file: path.relative(imageRoot, p.path).split(path.sep).join('/'), tags: tagsOf.get(p.id)! })),
  )
  await prepareFolder(outDir, options.overwrite ?? false)
  const file = path.join(outDir, TAGS_CSV_FILE)
  await fs.writeFile(file, text)
  return { outDir, imageRoot, file, names, photos: photos.length, tags: labels.length }
}
