// Exporting a project's labels. Image paths in the written files are relative to the photos' common root — the
// deepest folder that holds them all — which the result names: importing the export back means pointing the image
// folder there. By default human and kindled boxes are exported (the labels people made or accepted from a teacher);
// a trained model's predictions are not labels, and are left out unless asked for. Every photo is written, with or
// without boxes (a YOLO photo with no boxes gets an empty file: "nothing here" is a label too).
import fs from 'node:fs/promises'
import path from 'node:path'
import type { BoxSource } from '../../shared/api.js'
import type { Store } from '../store/index.js'
import { FORMATS } from './detect.js'
import type { FormatName, SizedLabelImage } from './label-set.js'

export interface ExportLabelsOptions {
  format: FormatName
  outDir: string
  sources?: BoxSource[]
  /** Write into a folder that already has files in it (files of the same name are replaced). */
  overwrite?: boolean
}

export interface ExportLabelsResult {
  format: FormatName
  outDir: string
  /** The folder the image paths in the files are relative to: `imagesDir` when importing them back. */
  imageRoot: string
  /** What to pass as `labelsFile` to import them back. */
  labelsFile: string
  files: string[]
  images: number
  boxes: number
}

export const DEFAULT_EXPORT_SOURCES: BoxSource[] = ['human', 'kindled']

export async function exportLabels(store: Store, options: ExportLabelsOptions): Promise<ExportLabelsResult> {
  const format = FORMATS[options.format]
  const sources = options.sources ?? DEFAULT_EXPORT_SOURCES
  const outDir = path.resolve(options.outDir)

  // One read transaction, so a label edited meanwhile is either wholly in the export or wholly not.
  const { rows, boxes, classes } = store.transaction(() => ({
    rows: store.images.byPath(),
    boxes: store.boxTable.withClassNames(sources),
    classes: store.classes().map((c) => c.name),
  }))
  if (rows.length === 0) throw new Error('nothing to export: the project has no photos')

  const imageRoot = commonFolder(rows.map((r) => r.path))
  const byId = new Map<number, SizedLabelImage>()
  const images = rows.map((r) => {
    const image: SizedLabelImage = {
      file: path.relative(imageRoot, r.path).split(path.sep).join('/'),
      width: r.width,
      height: r.height,
      boxes: [],
    }
    byId.set(r.id, image)
    return image
  })
  for (const { imageId, ...box } of boxes) byId.get(imageId)?.boxes.push(box)

  const files = format.write({ images, classes })
  await prepareFolder(outDir, options.overwrite ?? false)
  for (const file of files) {
    const target = path.resolve(outDir, file.path)
    if (path.relative(outDir, target).startsWith('..')) throw new Error(`refusing to write ${file.path} outside ${outDir}`)
    await fs.mkdir(path.dirname(target), { recursive: true })
    await fs.writeFile(target, file.contents)
  }
  return {
    format: options.format,
    outDir,
    imageRoot,
    labelsFile: path.resolve(outDir, format.written),
    files: files.map((f) => path.resolve(outDir, f.path)),
    images: images.length,
    boxes: boxes.filter((b) => byId.has(b.imageId)).length,
  }
}

/** The deepest folder holding every path. */
export function commonFolder(paths: string[]): string {
  let root = path.dirname(paths[0])
  for (const p of paths) {
    while (path.relative(root, p).startsWith('..') || path.isAbsolute(path.relative(root, p))) {
      const up = path.dirname(root)
      if (up === root) break
      root = up
    }
  }
  return root
}

/** An export goes into a new or empty folder, so stale files of an earlier export never mix into this one. */
export async function prepareFolder(dir: string, overwrite: boolean): Promise<void> {
  const entries = await fs.readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null
    if (e.code === 'ENOTDIR') throw new Error(`${dir} is a file, not a folder`)
    throw e
  })
  if (entries === null) await fs.mkdir(dir, { recursive: true })
  else if (entries.length > 0 && !overwrite) {
    throw new Error(`${dir} is not empty: export into a new or empty folder`)
  }
}
