// Import a folder of photos, recursively. Unchanged files already in the project are recognised by path, size and
// mtime without being read; everything else is read once (hash, checks, thumbnail) by a few files in flight at a time,
// and written to the store in batches. A bad file is skipped with its reason and the rest carries on.
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Split } from '../../shared/api.js'
import { BadPhotoError, DEFAULT_LIMITS, looksLikePhoto, readPhoto, type PhotoLimits, ThumbnailCache } from '../media/index.js'
import type { NewImage, Store } from '../store/index.js'
import type { JobContext } from './runner.js'

export interface ImportOptions {
  limits?: PhotoLimits
  /** Files read at once: enough to keep libuv's thread pool (where sharp decodes) busy on every core. */
  concurrency?: number
  /** Folders never to descend into, e.g. the project's own thumbnail cache. */
  exclude?: string[]
  /** Import only the photos whose file name passes (the demo takes the group photos, not the screenshots beside them). */
  accept?: (fileName: string) => boolean
}

const BATCH_SIZE = 128
const BATCH_MS = 250

/**
 * The split a photo belongs to, from its file name alone: sha1(name) mod 10 → 0–6 train, 7–8 val, 9 test. Stable
 * across re-imports and machines, and the rule GENKI's published split uses.
 */
export function splitFor(fileName: string): Split {
  const digit = Number(BigInt(`0x${createHash('sha1').update(fileName).digest('hex')}`) % 10n)
  return digit <= 6 ? 'train' : digit <= 8 ? 'val' : 'test'
}

/** Photo files under `dir` (by extension), in a stable order; hidden and excluded folders are not entered. */
export async function findPhotos(
  dir: string,
  exclude: string[] = [],
  accept: (fileName: string) => boolean = () => true,
): Promise<{ photos: string[]; ignored: number }> {
  const photos: string[] = []
  let ignored = 0
  const excluded = new Set(exclude.map((d) => path.resolve(d)))
  const walk = async (folder: string): Promise<void> => {
    const entries = await fs.readdir(folder, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const full = path.join(folder, entry.name)
      // Symlinked folders are not followed (no cycles); symlinked files are, and fail cleanly if broken.
      if (entry.isDirectory()) {
        if (!excluded.has(full)) await walk(full)
      } else if (looksLikePhoto(entry.name) && accept(entry.name)) photos.push(full)
      else if (entry.isFile()) ignored++
    }
  }
  await walk(path.resolve(dir))
  return { photos, ignored }
}

export async function importPhotos(
  store: Store,
  dir: string,
  ctx: JobContext,
  options: ImportOptions = {},
  onBatch?: () => void,
): Promise<void> {
  const limits = options.limits ?? DEFAULT_LIMITS
  const thumbnails = new ThumbnailCache(store.dir)
  const { photos } = await findPhotos(dir, [thumbnails.root, ...(options.exclude ?? [])], options.accept)
  const counters = { done: 0, total: photos.length, imported: 0, duplicates: 0 }
  ctx.report(counters)

  let pending: NewImage[] = []
  let lastFlush = performance.now()
  const flush = () => {
    if (pending.length === 0) return
    const added = store.addImages(pending)
    for (const isNew of added) {
      if (isNew) counters.imported++
      else counters.duplicates++ // the same content twice in this folder, or written by another import meanwhile
    }
    counters.done += pending.length
    pending = []
    lastFlush = performance.now()
    // The counts first, then the progress at once: the Library's tabs and the import's numbers move together.
    onBatch?.()
    ctx.report(counters, { committed: true })
  }

  const importOne = async (file: string) => {
    const known = store.imageAtPath(file)
    if (known) {
      const stat = await fs.stat(file).catch(() => undefined)
      if (stat && stat.size === known.bytes && Math.trunc(stat.mtimeMs) === known.mtimeMs) {
        counters.duplicates++
        counters.done++
        return ctx.report(counters)
      }
      // Boxes drawn on the old pixels may no longer fit the new ones: say so rather than silently mixing them.
      ctx.skip({ path: file, reason: 'changed since it was imported (edited photos are not re-imported)' })
      counters.done++
      return ctx.report(counters)
    }
    try {
      const { photo, thumbnail } = await readPhoto(file, limits)
      if (store.imageWithSha(photo.sha256) || pending.some((p) => p.sha256 === photo.sha256)) {
        counters.duplicates++
        counters.done++
        return ctx.report(counters)
      }
      await thumbnails.write(photo.sha256, thumbnail)
      pending.push({ path: file, split: splitFor(path.basename(file)), ...photo })
      if (pending.length >= BATCH_SIZE || performance.now() - lastFlush > BATCH_MS) flush()
    } catch (error) {
      if (!(error instanceof BadPhotoError)) throw error
      ctx.skip({ path: file, reason: error.message })
      counters.done++
      ctx.report(counters)
    }
  }

  // A small pool of workers pulling from one queue: files are read concurrently, but the store is written from this
  // thread only, in batches, so each batch is one transaction.
  let next = 0
  const worker = async () => {
    while (next < photos.length && !ctx.signal.aborted) await importOne(photos[next++])
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker))
  } finally {
    flush()
  }
}
