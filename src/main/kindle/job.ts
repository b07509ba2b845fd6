// The kindling job: a teacher labels the project's photos. The teacher runs on every core (pool.ts); this thread
// decides what to kindle, hands out photos, and writes the results in batches, one transaction each.
//
// The rules that make kindling safe to run again and again:
// - an image a person has reviewed is never touched (checked again at write time: a person may review meanwhile);
// - boxes a person drew or corrected (source 'human') are never touched, nor other teachers' or predicted boxes;
// - kindling an image replaces only the boxes that same teacher kindled on it before;
// - an image already kindled by this teacher, version and settings is skipped (resume), unless `redo`;
// - cancelling keeps every image finished so far.
import type { JobContext } from '../jobs/index.js'
import type { BackendName } from '../engine/index.js'
import type { KindleCandidate, KindledPhoto, KindledTag, KindledWith, Store } from '../store/index.js'
import { parseTeacherSpec, type EnsembleMethod } from '../../shared/teachers.js'
import { DEFAULT_TEACHER, teacherVersion, type KindledFace, type KindleSettings } from './kindler.js'
import { PhotoKindleError, startKindling, type KindleService } from './pool.js'
import { SMILE_THRESHOLD } from './smile.js'
import { MAX_TILES, type Tiles, type ZoomOutWhen } from './teachers.js'

export interface KindleOptions {
  /**
   * Teacher: a single one (`TEACHER_NAMES`), or an ensemble `a+b` / `ensemble(a+b,wbf)`; default DEFAULT_TEACHER.
   */
  teacher?: string
  /** How an ensemble written `a+b` merges its teachers (default wbf); must agree with an `ensemble(…)` name. */
  ensemble?: EnsembleMethod
  /** Score threshold, 0–1; default 0.5. */
  minScore?: number
  /** Kindle a `smiling` attribute on each face with the face-expression net. */
  smile?: boolean
  /** Zoom-out padding as a fraction of the photo's size (1: half its width on the left and on the right, half its height above and below); 0 turns it off. Default 1. */
  zoomOut?: number
  /** Which photos get the zoomed-out pass (teachers.ts, `ZoomOutWhen`); default 'big-face'. */
  zoomOutWhen?: ZoomOutWhen
  /**
   * Tiled kindling (zoom in) for small faces in big photos: 'off', 'auto' (a 2×2 grid, 20 % overlap, only on photos
   * whose longer side is ≥ 2.5 × the teacher's input), or N (2–4: an N×N grid on every photo). Default DEFAULT_TILES.
   */
  tiles?: Tiles
  /**
   * `new`: only photos no teacher has kindled yet; `unreviewed` (default): every photo a person has not reviewed.
   * Reviewed photos are never kindled either way.
   */
  scope?: 'new' | 'unreviewed'
  /** Kindle only these images (a selection); default the whole project. */
  imageIds?: number[]
  /** Kindle again images this teacher already kindled with the same settings. */
  redo?: boolean
  /** Worker threads; 0 runs the teacher on this thread. Default: one per core. */
  workers?: number
  backend?: BackendName
  /** Results written per transaction (default 64), or every `flushMs` (default 500 ms), whichever comes first. */
  batchSize?: number
  flushMs?: number
  /**
   * Called after each batch is written, before the progress that counts it is reported (the studio sends the counts
   * and tells the UI to redraw thumbnails).
   */
  onBatch?: () => void
  /** Use an already started teacher service (the bench reuses one); it must match the settings. Not closed here. */
  service?: KindleService
}

export interface KindleSummary {
  teacher: string
  teacherVersion: string
  /** Images in the selection. */
  selected: number
  /** Images kindled now. */
  kindled: number
  /** Images skipped because a person reviewed them. */
  reviewed: number
  /** Images skipped because this teacher already kindled them with these settings (resume). */
  alreadyKindled: number
  /** Images that could not be read (listed through ctx.skip). */
  failed: number
  /** Faces kindled, and kindled images where the teacher found none. */
  faces: number
  noFace: number
  threads: number
  cancelled: boolean
}

export const DEFAULT_MIN_SCORE = 0.5
export const DEFAULT_ZOOM_OUT = 1
/**
 * 'auto' (docs/multiscale.md): with BlazeFace it never tiles dlib-faces or GENKI photos (all < 640 px, unchanged) and
 * finds 23 faces against 21 on face-api's 1920 px demo photos, losing none; tiling every photo (2) drops GENKI
 * precision 0.981 → 0.860.
 */
export const DEFAULT_TILES: Tiles = 'auto'

/**
 * The zoom-out factor for a switch, as the CLI's --no-zoom-out and the Library's checkbox give it: off is 0, on leaves
 * the job's default (DEFAULT_ZOOM_OUT), so "on" stays the same setting, and does not re-kindle, if the default moves.
 */
export const zoomOutFactor = (on: boolean): number | undefined => (on ? undefined : 0)

export function isTiles(t: unknown): t is Tiles {
  return t === 'off' || t === 'auto' || (Number.isInteger(t) && (t as number) >= 2 && (t as number) <= MAX_TILES)
}

export function resolveSettings(options: KindleOptions): KindleSettings {
  const teacher = parseTeacherSpec(options.teacher ?? DEFAULT_TEACHER, options.ensemble).name
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE
  if (!(minScore >= 0 && minScore <= 1)) throw new Error(`minScore must be between 0 and 1, got ${minScore}`)
  const zoomOut = options.zoomOut ?? DEFAULT_ZOOM_OUT
  if (!(zoomOut >= 0 && zoomOut <= 4)) throw new Error(`zoomOut must be between 0 and 4, got ${zoomOut}`)
  const tiles = options.tiles ?? DEFAULT_TILES
  if (!isTiles(tiles)) throw new Error(`tiles must be 'off', 'auto' or a whole number from 2 to ${MAX_TILES}, got ${tiles}`)
  return { teacher, minScore, smile: options.smile ?? false, zoomOut, zoomOutWhen: options.zoomOutWhen ?? 'big-face', tiles }
}

// Tiles 'off' leaves the key as it was before tiling existed (photos kindled then are not redone).
const settingsKey = (s: KindleSettings) =>
  JSON.stringify({
    minScore: s.minScore,
    smile: s.smile,
    zoomOut: s.zoomOut,
    zoomOutWhen: s.zoomOut > 0 ? s.zoomOutWhen : null,
    tiles: s.tiles === 'off' ? undefined : s.tiles,
  })

interface Result {
  image: KindleCandidate
  faces: KindledFace[]
}

/** The summary counts the batch writer keeps. */
type Tally = Pick<KindleSummary, 'kindled' | 'reviewed' | 'faces' | 'noFace'>

export async function kindleProject(store: Store, ctx: JobContext, options: KindleOptions = {}): Promise<KindleSummary> {
  const settings = resolveSettings(options)
  const by: KindledWith = {
    teacher: settings.teacher,
    version: teacherVersion(parseTeacherSpec(settings.teacher)),
    key: settingsKey(settings),
  }
  const faceClass = store.classes().find((c) => c.name === 'face')
  if (!faceClass) throw new Error('this project has no "face" class to kindle')

  const candidates = store.kindlings.candidates({ imageIds: options.imageIds, onlyNew: options.scope === 'new' }, by)
  const summary: KindleSummary = {
    teacher: by.teacher,
    teacherVersion: by.version,
    selected: candidates.length,
    kindled: 0,
    reviewed: 0,
    alreadyKindled: 0,
    failed: 0,
    faces: 0,
    noFace: 0,
    threads: 0,
    cancelled: false,
  }
  const todo = select(candidates, options.redo ?? false, summary)
  const counters = { done: 0, total: todo.length }
  ctx.report(counters)
  if (todo.length === 0 || ctx.signal.aborted) {
    summary.cancelled = ctx.signal.aborted
    return summary
  }

  const writer = batchWriter(store, faceClass.id, by, summary, ctx, counters, options)
  const service = options.service ?? (await startKindling(settings, { workers: options.workers, backend: options.backend }))
  summary.threads = service.threads
  try {
    if (service.teacher.name !== by.teacher || service.teacher.version !== by.version) {
      throw new Error(`the running teacher is ${service.teacher.name} ${service.teacher.version}, not ${by.teacher}`)
    }
    await kindleAll(service, todo, ctx, counters, writer, (image, error) => {
      summary.failed++
      ctx.skip({ path: image.path, reason: error.message })
    })
  } finally {
    writer.flush()
    if (!options.service) await service.close()
  }
  summary.cancelled = ctx.signal.aborted
  return summary
}

/** The photos to kindle: not reviewed, and — unless `redo` — not already kindled by this teacher and settings. */
function select(candidates: readonly KindleCandidate[], redo: boolean, summary: KindleSummary): KindleCandidate[] {
  const todo: KindleCandidate[] = []
  for (const c of candidates) {
    if (c.reviewed) summary.reviewed++
    else if (c.done && !redo) summary.alreadyKindled++
    else todo.push(c)
  }
  return todo
}

/** A photo's faces as boxes, clipped to the stored frame (decoding may round a pixel differently); slivers dropped. */
function kindledBoxes(image: KindleCandidate, faces: readonly KindledFace[]): KindledPhoto['boxes'] {
  const boxes: KindledPhoto['boxes'] = []
  for (const f of faces) {
    const x = Math.max(0, Math.min(f.x, image.width))
    const y = Math.max(0, Math.min(f.y, image.height))
    const w = Math.min(f.x + f.w, image.width) - x
    const h = Math.min(f.y + f.h, image.height) - y
    if (w < 1 || h < 1) continue
    const attributes =
      f.happy === undefined ? {} : { smiling: { value: f.happy >= SMILE_THRESHOLD, score: f.happy, source: 'kindled', teacher: SMILE_TEACHER } }
    boxes.push({ x, y, w, h, score: f.score, attributes })
  }
  return boxes
}

const SMILE_TEACHER = 'face-expression'

/**
 * The photo's "smiling" tag: its most confident face's smiling attribute (a photo is smiling when its main face is),
 * with that attribute's score; no face, no say.
 */
function smilingTag(boxes: KindledPhoto['boxes']): KindledTag {
  const main = boxes.reduce<KindledPhoto['boxes'][number] | undefined>(
    (best, b) => (best && (best.score ?? 0) >= (b.score ?? 0) ? best : b),
    undefined,
  )
  const smiling = main?.attributes?.smiling as { value?: unknown; score?: unknown } | undefined
  const value = typeof smiling?.value === 'boolean' ? smiling.value : null
  return { name: 'smiling', value, score: value === null || typeof smiling?.score !== 'number' ? null : smiling.score, teacher: SMILE_TEACHER }
}

interface BatchWriter {
  /** Keep a result; written at once when `batchSize` are waiting, else within `flushMs`. */
  push(result: Result): void
  /** Write what is waiting now (the job's end); throws a failure of an earlier timed write. */
  flush(): void
}

/**
 * Results are written in batches, one transaction each; the summary counts what each write did. A photo counts as done
 * only once its boxes are committed: the progress ("4 / 6") and the project's counts (the Kindled tab) are read from
 * the same moment, never a photo the teacher finished that is still waiting for its batch. A timer writes a batch
 * `flushMs` after its first result, so a slow teacher's finished photos do not wait for the next one to show.
 */
function batchWriter(
  store: Store,
  classId: number,
  by: KindledWith,
  tally: Tally,
  ctx: JobContext,
  counters: { done: number; total: number },
  options: KindleOptions,
): BatchWriter {
  const batchSize = options.batchSize ?? 64
  const flushMs = options.flushMs ?? 500
  let pending: Result[] = []
  let timer: NodeJS.Timeout | undefined
  let failure: unknown
  const write = () => {
    clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const batch = pending.map(({ image, faces }) => {
      const boxes = kindledBoxes(image, faces)
      return { imageId: image.id, boxes, tags: options.smile ? [smilingTag(boxes)] : undefined }
    })
    pending = []
    const outcomes = store.kindlings.write(batch, classId, by, Date.now())
    outcomes.forEach((outcome, i) => {
      if (outcome === 'reviewed') tally.reviewed++ // a person reviewed it while the teacher was busy: theirs wins
      if (outcome !== 'kindled') return
      const kept = batch[i].boxes.length
      tally.kindled++
      tally.faces += kept
      if (kept === 0) tally.noFace++
    })
    counters.done += batch.length
    options.onBatch?.()
    ctx.report(counters, { committed: true })
  }
  const rethrow = () => {
    if (failure === undefined) return
    const error = failure
    failure = undefined
    throw error
  }
  return {
    push: (result) => {
      rethrow()
      pending.push(result)
      if (pending.length >= batchSize) write()
      else
        timer ??= setTimeout(() => {
          // Kept for the job's own thread to throw: a timer's exception would end the process instead.
          try {
            write()
          } catch (error) {
            failure = error
          }
        }, flushMs)
    },
    flush: () => {
      write()
      rethrow()
    },
  }
}

/**
 * Hand the photos to the teacher service, as many at a time as it has room for, until all are done or the job is
 * cancelled. Photos already handed out are finished and kept, also when cancelled: they cost the same to keep as to
 * drop. A photo the teacher cannot read is skipped (`failed`); any other error ends the job.
 */
async function kindleAll(
  service: KindleService,
  todo: readonly KindleCandidate[],
  ctx: JobContext,
  counters: { done: number; total: number },
  writer: BatchWriter,
  failed: (image: KindleCandidate, error: PhotoKindleError) => void,
): Promise<void> {
  const inFlight = new Set<Promise<void>>()
  const start = (image: KindleCandidate) => {
    const p = service
      .kindle(image.path)
      .then(
        (faces) => writer.push({ image, faces }),
        (error: unknown) => {
          if (!(error instanceof PhotoKindleError)) throw error
          // Nothing to write: done (and listed as skipped) at once.
          counters.done++
          failed(image, error)
        },
      )
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  let next = 0
  while (next < todo.length && !ctx.signal.aborted) {
    while (inFlight.size < service.capacity && next < todo.length) start(todo[next++])
    await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
}
