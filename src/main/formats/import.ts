// Importing labels: onto photos already in the project, or together with the photos of a folder. All or nothing —
// every file is parsed and every box checked against its photo before anything is written, the photos go in through
// the ordinary photo import (thumbnails, hashes, splits), and the boxes then go in one transaction; if that last step
// cannot happen, the photos this import added are taken out again. Imported boxes are `human`.
//
// Boxes that run partly outside their photo are clipped to it (published sets have them: 16 of GENKI-SZSL's boxes do,
// and a face at the edge is still a face); a box wholly outside, or with no area, is refused as a mistake.
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import type { SkippedFile } from '../../shared/api.js'
import { findPhotos, importPhotos, type ImportOptions, type JobContext } from '../jobs/index.js'
import { looksLikePhoto, ThumbnailCache } from '../media/index.js'
import type { Store } from '../store/index.js'
import { detectFormat, FORMATS } from './detect.js'
import type { ImageFolder } from './format.js'
import { LabelFileError, type FormatName, type LabelBox, type LabelImage, type Origin } from './label-set.js'

export interface ImportLabelsOptions {
  /** A label file (or for YOLO and VOC a folder); several are merged, e.g. dlib's training.xml and testing.xml. */
  labelsFile: string | string[]
  /** The folder image paths in the labels are relative to. */
  imagesDir: string
  format?: FormatName | 'auto'
  /**
   * 'import' (the default): import the folder's photos first, then the labels. 'existing': put labels only onto photos
   * already in the project; a label naming any other photo is an error.
   */
  images?: 'import' | 'existing'
  /** The job this runs in (progress of the photo import, cancel); without one it runs to the end. */
  ctx?: JobContext
  importOptions?: ImportOptions
}

export interface ImportLabelsResult {
  formats: FormatName[]
  /** Photos that have labels in the files. */
  images: number
  /** Boxes added; `duplicates` were identical to a human box the photo already had, and were not added twice. */
  boxes: number
  duplicates: number
  /** Boxes that ran over the photo's edge and were clipped to it. */
  clipped: number
  newClasses: string[]
  /** What the photo import did ('import' mode), or null. */
  photos: { imported: number; duplicates: number; skipped: SkippedFile[] } | null
}

interface Resolved {
  image: LabelImage
  abs: string
  boxes: ReturnType<typeof checkBox>[]
}

export async function importLabels(store: Store, options: ImportLabelsOptions): Promise<ImportLabelsResult> {
  const imagesDir = path.resolve(options.imagesDir)
  if (
    !(await fs.stat(imagesDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new Error(`image folder not found: ${imagesDir}`)
  }
  const mode = options.images ?? 'import'
  const thumbnails = new ThumbnailCache(store.dir)
  let photoList: Promise<string[]> | undefined
  const folder: ImageFolder = {
    dir: imagesDir,
    photos: () =>
      (photoList ??= findPhotos(imagesDir, [thumbnails.root]).then(({ photos }) =>
        photos.map((p) => path.relative(imagesDir, p).split(path.sep).join('/')),
      )),
  }

  // 1. Parse every file.
  const files = [options.labelsFile].flat()
  if (files.length === 0) throw new Error('no label file given')
  const formats: FormatName[] = []
  const images = new Map<string, LabelImage>()
  const classOrder: string[] = []
  for (const file of files) {
    const format = !options.format || options.format === 'auto' ? await detectFormat(file) : options.format
    formats.push(format)
    const set = await FORMATS[format].load(file, folder)
    classOrder.push(...(set.classes ?? []))
    for (const image of set.images) {
      const seen = images.get(image.file)
      if (!seen) images.set(image.file, image)
      else if (Boolean(seen.normalized) === Boolean(image.normalized)) seen.boxes.push(...image.boxes)
      else throw new LabelFileError(image.origin ?? { file }, `${image.file} is labelled in files of different formats`)
    }
  }

  // 2. Check every image and box against the photo it names.
  const known = (abs: string) => store.images.sizeAt(abs)
  const resolved: Resolved[] = []
  await forEachLimited([...images.values()], 8, async (image) => {
    const origin = image.origin ?? { file: files[0] }
    const abs = path.resolve(imagesDir, image.file)
    const rel = path.relative(imagesDir, abs)
    // Parsers refuse such paths already; this is the last line, in case a new format forgets.
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new LabelFileError(origin, `image path ${image.file} points outside ${imagesDir}`)
    const row = known(abs)
    let size: { width: number; height: number }
    if (row) size = row
    else if (mode === 'existing') {
      throw new LabelFileError(
        origin,
        `unknown image ${image.file}: no photo ${abs} in the project (import the photos first, or with the labels)`,
      )
    } else {
      if (!looksLikePhoto(abs)) throw new LabelFileError(origin, `${image.file} is not a photo Kindling imports (JPEG, PNG or WebP)`)
      size = await photoSize(abs, origin, image.file)
    }
    if ((image.width !== undefined && image.width !== size.width) || (image.height !== undefined && image.height !== size.height)) {
      throw new LabelFileError(
        origin,
        `says ${image.file} is ${image.width ?? '?'}×${image.height ?? '?'}, but the photo is ` +
          `${size.width}×${size.height} (after EXIF orientation): the boxes were drawn on another version of it`,
      )
    }
    resolved.push({ image, abs, boxes: image.boxes.map((b) => checkBox(b, image, size, origin)) })
  })
  resolved.sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0))
  const clipped = resolved.reduce((n, r) => n + r.boxes.filter((b) => b.clipped).length, 0)

  // 3. Classes: the project's, plus new names — those a file declares (a YOLO classes file, COCO categories; kept even
  // when no box uses them yet, so class order survives a round trip) and those boxes use — in the files' order.
  const classes = new Map(store.classes().map((c) => [c.name, c.id]))
  const newClasses = [...new Set([...classOrder, ...resolved.flatMap((r) => r.boxes.map((b) => b.className))])].filter(
    (name) => !classes.has(name),
  )

  // 4. The photos, through the ordinary photo import; remember which are new, to take them out again on failure.
  const ctx = options.ctx ?? localContext()
  const before = mode === 'import' ? (await folder.photos()).map((p) => path.join(imagesDir, p)).filter((p) => !known(p)) : []
  let photos: ImportLabelsResult['photos'] = null
  try {
    if (mode === 'import') photos = await importFolder(store, imagesDir, ctx, options.importOptions)
    if (ctx.signal.aborted) throw new Error('cancelled: no labels were imported')
    // A labelled photo whose content was already in the project under another path was not added again: its labels
    // go onto that copy. One that was skipped as unreadable fails the whole import, with the photo import's reason.
    const imageIds = new Map<Resolved, number>()
    for (const r of resolved) {
      const id = known(r.abs)?.id ?? store.imageWithSha(await sha256(r.abs))?.id
      if (id === undefined) {
        const why = photos?.skipped.find((s) => s.path === r.abs)?.reason ?? 'it was not imported'
        throw new LabelFileError(r.image.origin ?? { file: files[0] }, `photo ${r.image.file} cannot be labelled: ${why}`)
      }
      imageIds.set(r, id)
    }
    const boxes = writeBoxes(store, resolved, imageIds, newClasses, classes)
    return { formats, images: resolved.length, boxes: boxes.added, duplicates: boxes.duplicates, clipped, newClasses, photos }
  } catch (error) {
    await forget(
      store,
      before.filter((p) => known(p)),
      thumbnails,
    )
    throw error
  }
}

/** The ordinary photo import, reporting to the caller's job and keeping its counts and skipped files for the result. */
async function importFolder(store: Store, dir: string, ctx: JobContext, options?: ImportOptions) {
  const skipped: SkippedFile[] = []
  const counts = { imported: 0, duplicates: 0 }
  await importPhotos(
    store,
    dir,
    {
      signal: ctx.signal,
      report: (u) => {
        if (u.imported !== undefined) counts.imported = u.imported
        if (u.duplicates !== undefined) counts.duplicates = u.duplicates
        ctx.report(u)
      },
      skip: (f) => {
        skipped.push(f)
        ctx.skip(f)
      },
    },
    options,
  )
  return { ...counts, skipped }
}

/** One transaction: new classes, then every box. Not logged for undo: an import is undone as a whole, not box by box. */
function writeBoxes(
  store: Store,
  resolved: Resolved[],
  imageIds: Map<Resolved, number>,
  newClasses: string[],
  classes: Map<string, number>,
): { added: number; duplicates: number } {
  return store.transaction(() => {
    for (const name of newClasses) classes.set(name, store.classTable.create(name).id)
    const now = Date.now()
    let added = 0
    let duplicates = 0
    for (const r of resolved) {
      const imageId = imageIds.get(r)!
      const existing = store.boxTable.human(imageId)
      for (const b of r.boxes) {
        const classId = classes.get(b.className)!
        const same = (e: (typeof existing)[number]) =>
          e.classId === classId && [e.x - b.x, e.y - b.y, e.w - b.w, e.h - b.h].every((d) => Math.abs(d) < 1e-6)
        if (existing.some(same)) {
          duplicates++
          continue
        }
        const box = { imageId, classId, x: b.x, y: b.y, w: b.w, h: b.h }
        store.boxTable.add({ ...box, source: 'human' }, now)
        existing.push(box)
        added++
      }
    }
    return { added, duplicates }
  })
}

/** A box in pixels, clipped to the photo; refused (naming its line or field) if it has no area or misses the photo. */
function checkBox(b: LabelBox, image: LabelImage, size: { width: number; height: number }, fallback: Origin) {
  const origin = b.origin ?? fallback
  const sx = image.normalized ? size.width : 1
  const sy = image.normalized ? size.height : 1
  const [x, y, w, h] = [b.x * sx, b.y * sy, b.w * sx, b.h * sy]
  if (!(w > 0 && h > 0)) throw new LabelFileError(origin, `box has no area (width ${fmtNum(b.w)}, height ${fmtNum(b.h)})`)
  const x1 = Math.max(0, x)
  const y1 = Math.max(0, y)
  const x2 = Math.min(size.width, x + w)
  const y2 = Math.min(size.height, y + h)
  if (x2 <= x1 || y2 <= y1) {
    throw new LabelFileError(
      origin,
      `box [x ${fmtNum(x)}, y ${fmtNum(y)}, w ${fmtNum(w)}, h ${fmtNum(h)}] lies outside the ` +
        `${size.width}×${size.height} photo ${image.file}`,
    )
  }
  // Counted only past float noise: YOLO's rounded fractions land a hair over the edge of a box that touches it.
  const clipped = Math.max(x1 - x, y1 - y, x + w - x2, y + h - y2) > 0.01
  return { className: b.className, x: x1, y: y1, w: x2 - x1, h: y2 - y1, origin, clipped }
}

const fmtNum = (n: number) => String(Number(n.toFixed(2)))

/** The photo's size as boxes see it (after EXIF orientation), from its header: no decoding. */
async function photoSize(abs: string, origin: Origin, rel: string): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(abs, { limitInputPixels: false }).metadata()
    const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height }
    if (!oriented.width || !oriented.height) throw new Error('no size in its header')
    return { width: oriented.width, height: oriented.height }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const missing = code === 'ENOENT' || /missing|does not exist/i.test((error as Error).message)
    throw new LabelFileError(
      origin,
      missing ? `no such image: ${rel} (looked for ${abs})` : `${rel} is not a readable photo (${(error as Error).message})`,
    )
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex')
}

/** Take out photos an import added before it failed, with their thumbnails. */
async function forget(store: Store, paths: string[], thumbnails: ThumbnailCache): Promise<void> {
  if (paths.length === 0) return
  const shas = store.images.removeAtPaths(paths)
  await Promise.all(shas.map((sha) => fs.rm(thumbnails.pathFor(sha), { force: true })))
}

function localContext(): JobContext {
  return { signal: new AbortController().signal, report: () => {}, skip: () => {} }
}

/**
 * Run `fn` over `items`, a few at a time (photo headers are read from disk). If some fail, the failure reported is
 * the one earliest in the list, so the same bad file always gives the same message; items after it are not started.
 */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed: { index: number; error: unknown } | undefined
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      if (failed && index > failed.index) return
      try {
        await fn(items[index])
      } catch (error) {
        if (!failed || index < failed.index) failed = { index, error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failed) throw failed.error
}
