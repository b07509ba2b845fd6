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
import type { Store } from '../store/index.js'
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
  /** Called after each batch is written (the studio tells the UI to redraw counts and thumbnails). */
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

interface Candidate {
  id: number
  path: string
  width: number
  height: number
  reviewed: number
  done: number
}

interface Result {
  image: Candidate
  faces: KindledFace[]
}

export async function kindleProject(store: Store, ctx: JobContext, options: KindleOptions = {}): Promise<KindleSummary> {
  const settings = resolveSettings(options)
  const teacherName = settings.teacher
  const version = teacherVersion(parseTeacherSpec(teacherName))
  const key = settingsKey(settings)
  const db = store.db

  const faceClass = db.prepare<[], { id: number }>("SELECT id FROM classes WHERE name = 'face'").get()
  if (!faceClass) throw new Error('this project has no "face" class to kindle')

  const where = [
    options.imageIds ? 'i.id IN (SELECT value FROM json_each(@ids))' : null,
    options.scope === 'new' ? 'i.kindled_at IS NULL' : null,
  ].filter(Boolean)
  const selection = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const candidates = db
    .prepare<{ ids: string | null; teacher: string; version: string; key: string }, Candidate>(
      `SELECT i.id, i.path, i.width, i.height, i.reviewed_at IS NOT NULL AS reviewed,
              (k.teacher = @teacher AND k.teacher_version = @version AND k.settings = @key) IS 1 AS done
       FROM images i LEFT JOIN kindlings k ON k.image_id = i.id ${selection} ORDER BY i.id`,
    )
    .all({ ids: options.imageIds ? JSON.stringify(options.imageIds) : null, teacher: teacherName, version, key })

  const summary: KindleSummary = {
    teacher: teacherName,
    teacherVersion: version,
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
  const todo: Candidate[] = []
  for (const c of candidates) {
    if (c.reviewed) summary.reviewed++
    else if (c.done && !options.redo) summary.alreadyKindled++
    else todo.push(c)
  }
  const counters = { done: 0, total: todo.length }
  ctx.report(counters)
  if (todo.length === 0 || ctx.signal.aborted) {
    summary.cancelled = ctx.signal.aborted
    return summary
  }

  const isReviewed = db.prepare<[number], { reviewed: number }>(
    'SELECT reviewed_at IS NOT NULL AS reviewed FROM images WHERE id = ?',
  )
  const dropOwn = db.prepare<[number, string]>(
    "DELETE FROM boxes WHERE image_id = ? AND source = 'kindled' AND teacher = ?",
  )
  const insertBox = db.prepare(
    `INSERT INTO boxes (image_id, class_id, x, y, w, h, source, teacher, teacher_version, score, attributes,
                        created_at, updated_at)
     VALUES (@imageId, @classId, @x, @y, @w, @h, 'kindled', @teacher, @version, @score, @attributes, @now, @now)`,
  )
  const markKindled = db.prepare<[number, number]>('UPDATE images SET kindled_at = ? WHERE id = ?')
  const record = db.prepare(
    `INSERT OR REPLACE INTO kindlings (image_id, teacher, teacher_version, settings, faces, kindled_at)
     VALUES (@imageId, @teacher, @version, @key, @faces, @now)`,
  )
  const smileTeacher = 'face-expression'

  const write = db.transaction((results: Result[], now: number) => {
    for (const { image, faces } of results) {
      const state = isReviewed.get(image.id)
      if (!state) continue // the photo left the project meanwhile
      if (state.reviewed) {
        summary.reviewed++ // a person reviewed it while the teacher was busy: theirs wins
        continue
      }
      dropOwn.run(image.id, teacherName)
      let kept = 0
      for (const f of faces) {
        // Clipped to the stored frame (decoding may round a pixel differently).
        const x = Math.max(0, Math.min(f.x, image.width))
        const y = Math.max(0, Math.min(f.y, image.height))
        const w = Math.min(f.x + f.w, image.width) - x
        const h = Math.min(f.y + f.h, image.height) - y
        if (w < 1 || h < 1) continue
        const attributes =
          f.happy === undefined
            ? {}
            : { smiling: { value: f.happy >= SMILE_THRESHOLD, score: f.happy, source: 'kindled', teacher: smileTeacher } }
        insertBox.run({
          imageId: image.id,
          classId: faceClass.id,
          x,
          y,
          w,
          h,
          teacher: teacherName,
          version,
          score: f.score,
          attributes: JSON.stringify(attributes),
          now,
        })
        kept++
      }
      markKindled.run(now, image.id)
      record.run({ imageId: image.id, teacher: teacherName, version, key, faces: kept, now })
      summary.kindled++
      summary.faces += kept
      if (kept === 0) summary.noFace++
    }
  })

  const batchSize = options.batchSize ?? 64
  const flushMs = options.flushMs ?? 500
  let pending: Result[] = []
  let lastFlush = performance.now()
  const flush = () => {
    if (pending.length > 0) {
      const batch = pending
      pending = []
      write(batch, Date.now())
      options.onBatch?.()
    }
    lastFlush = performance.now()
    ctx.report(counters)
  }

  const service = options.service ?? (await startKindling(settings, { workers: options.workers, backend: options.backend }))
  summary.threads = service.threads
  try {
    if (service.teacher.name !== teacherName || service.teacher.version !== version) {
      throw new Error(`the running teacher is ${service.teacher.name} ${service.teacher.version}, not ${teacherName}`)
    }
    const inFlight = new Set<Promise<void>>()
    const start = (image: Candidate) => {
      const p = service
        .kindle(image.path)
        .then(
          (faces) => {
            pending.push({ image, faces })
          },
          (error: unknown) => {
            if (!(error instanceof PhotoKindleError)) throw error
            summary.failed++
            ctx.skip({ path: image.path, reason: error.message })
          },
        )
        .finally(() => {
          inFlight.delete(p)
          counters.done++
          if (pending.length >= batchSize || performance.now() - lastFlush > flushMs) flush()
          else ctx.report(counters)
        })
      inFlight.add(p)
    }
    let next = 0
    while (next < todo.length && !ctx.signal.aborted) {
      while (inFlight.size < service.capacity && next < todo.length) start(todo[next++])
      await Promise.race(inFlight)
    }
    // Photos already handed out are finished and kept, also when cancelled: they cost the same to keep as to drop.
    await Promise.all(inFlight)
  } finally {
    flush()
    if (!options.service) await service.close()
  }
  summary.cancelled = ctx.signal.aborted
  return summary
}
