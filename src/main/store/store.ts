// One SQLite file per project (`studio.db`), opened in WAL mode so readers (the UI, `kindling status`) never wait for a
// running import. Every query the UI makes is a prepared statement here, next to the index that keeps it fast.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import type {
  ClassInfo,
  Counts,
  ImageSort,
  ImageSummary,
  ReviewFilter,
  ReviewSort,
  ReviewState,
  Split,
} from '../../shared/api.js'
import { disagreeOf } from './disagree.js'
import { openDatabase } from './database.js'
import { migrate } from './migrations/index.js'

export const DB_FILE = 'studio.db'

export interface NewImage {
  path: string
  sha256: string
  bytes: number
  mtimeMs: number
  width: number
  height: number
  format: string
  split: Split
}

export interface ImageRow extends ImageSummary {
  sha256: string
  bytes: number
  mtimeMs: number
  format: string
}

export type BoxSource = 'kindled' | 'human' | 'predicted'

export interface Box {
  id: number
  imageId: number
  classId: number
  x: number
  y: number
  w: number
  h: number
  source: BoxSource
  teacher: string | null
  teacherVersion: string | null
  runId: number | null
  score: number | null
  attributes: Record<string, unknown>
}

export type NewBox = Omit<Box, 'id' | 'teacher' | 'teacherVersion' | 'runId' | 'score' | 'attributes'> &
  Partial<Pick<Box, 'teacher' | 'teacherVersion' | 'runId' | 'score' | 'attributes'>>

/** A model's detection as stored: photo pixels, the project's class, the model's score. */
export interface NewPrediction {
  imageId: number
  classId: number
  x: number
  y: number
  w: number
  h: number
  score: number
}

export type BoxChange = Partial<Pick<Box, 'classId' | 'x' | 'y' | 'w' | 'h' | 'attributes'>>

export type EditAction = 'box.add' | 'box.update' | 'box.delete' | 'image.review' | ClassEditAction
export type ClassEditAction = 'class.add' | 'class.update' | 'class.delete'

/** An entry of the edit log. Class edits belong to no photo: their `imageId` is null. */
export interface Edit {
  id: number
  imageId: number | null
  action: EditAction
}

/**
 * An undo or redo the store will not do because it would break the labels (a class that boxes use would go away, or a
 * class would come back under an id or a name another class has taken since). It changes nothing: the data and the
 * undo and redo stacks stay as they were.
 */
export class EditRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EditRefused'
  }
}

const isClassEdit = (action: EditAction): action is ClassEditAction => action.startsWith('class.')

/** How a refusal names the step: "cannot undo adding class "cat": …". */
const CLASS_STEP: Record<ClassEditAction, string> = { 'class.add': 'adding', 'class.update': 'changing', 'class.delete': 'deleting' }

const ORDER: Record<ImageSort, string> = {
  name: 'path ASC, id ASC',
  newest: 'id DESC',
  oldest: 'id ASC',
}

interface BoxRecord {
  id: number
  image_id: number
  class_id: number
  x: number
  y: number
  w: number
  h: number
  source: BoxSource
  teacher: string | null
  teacher_version: string | null
  run_id: number | null
  score: number | null
  attributes: string
  created_at: number
  updated_at: number
}

const toBox = (r: BoxRecord): Box => ({
  id: r.id,
  imageId: r.image_id,
  classId: r.class_id,
  x: r.x,
  y: r.y,
  w: r.w,
  h: r.h,
  source: r.source,
  teacher: r.teacher,
  teacherVersion: r.teacher_version,
  runId: r.run_id,
  score: r.score,
  attributes: JSON.parse(r.attributes) as Record<string, unknown>,
})

/** The review queue's filters and sorts, as SQL over `images` (each filter a WHERE term; bound values by name). */
export interface ReviewQueueOptions {
  filter: ReviewFilter
  classId?: number
  split?: Split
  sort: ReviewSort
  lowScore: number
}

// Each filter is a test on the row (or one index probe into its boxes), so a queue step can walk a sort's index and stop
// at the first photo that passes. `unreviewed` / `reviewed` use the indexed `reviewed` flag (migration 5).
const REVIEW_FILTER: Record<ReviewFilter, string | null> = {
  all: null,
  unreviewed: 'reviewed = 0',
  reviewed: 'reviewed = 1',
  // As a range of the score index (photos without a kindled box have score_key 2, above any bar).
  'low-score': 'score_key < @lowScore',
  'no-boxes': 'box_count = 0',
  // Kept per photo by triggers (migration 9); a partial index per sort holds only the disagreeing photos.
  disagree: 'disagree = 1',
}

/**
 * The queue orders as index keys: the photo's least confident kindled box first (photos with none last, as score 2),
 * file name, or newest import. `path` is unique, so every key is a total order and a step never skips or repeats.
 */
const QUEUE_SORT: Record<ReviewSort, { cols: string[]; desc: boolean }> = {
  score: { cols: ['score_key', 'path'], desc: false },
  name: { cols: ['path'], desc: false },
  newest: { cols: ['id'], desc: true },
}

type QueueKey = Record<string, number | string>

/**
 * The filter as WHERE terms. The class filter has two forms: a step walks the sort's index and probes each photo's
 * boxes (it stops at the first match), while a count starts from the class's boxes (boxes_by_class) and looks up only
 * their photos — a probe per photo would visit all 100,000.
 */
function reviewWhere(q: ReviewQueueOptions, use: 'step' | 'count' = 'step'): string[] {
  const terms = [REVIEW_FILTER[q.filter]]
  if (q.classId !== undefined) {
    terms.push(
      use === 'step'
        ? 'EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = images.id AND b.class_id = @classId)'
        : 'id IN (SELECT image_id FROM boxes WHERE class_id = @classId)',
    )
  }
  if (q.split !== undefined) terms.push('split = @split')
  return terms.filter((t): t is string => t !== null)
}

const whereOf = (terms: string[]) => (terms.length ? `WHERE ${terms.join(' AND ')}` : '')

/** `(cols) > (@k0, …)` in queue order (`after`) or against it, and the ORDER BY that walks that way. */
function keyset(sort: ReviewSort, direction: 'after' | 'before'): { term: string; order: string } {
  const { cols, desc } = QUEUE_SORT[sort]
  const forward = direction === 'after' !== desc // walking the index upwards
  const keys = cols.map((_, i) => `@k${i}`)
  return {
    term: `(${cols.join(', ')}) ${forward ? '>' : '<'} (${keys.join(', ')})`,
    order: cols.map((c) => `${c} ${forward ? 'ASC' : 'DESC'}`).join(', '),
  }
}

const queueOrder = (sort: ReviewSort) => keyset(sort, 'after').order

const IMAGE_COLUMNS = `id, path, sha256, width, height, split, state,
  (SELECT count(*) FROM boxes b WHERE b.image_id = images.id) AS boxes`

export class Store {
  readonly db: Database.Database
  private readonly stmt

  private constructor(
    readonly dir: string,
    db: Database.Database,
  ) {
    this.db = db
    this.stmt = {
      imageByPath: db.prepare<[string], { id: number; bytes: number; mtime_ms: number }>(
        'SELECT id, bytes, mtime_ms FROM images WHERE path = ?',
      ),
      imageBySha: db.prepare<[string], { id: number; path: string }>('SELECT id, path FROM images WHERE sha256 = ?'),
      insertImage: db.prepare(
        `INSERT INTO images (path, sha256, bytes, mtime_ms, width, height, format, split, imported_at)
         VALUES (@path, @sha256, @bytes, @mtimeMs, @width, @height, @format, @split, @importedAt)
         ON CONFLICT DO NOTHING`,
      ),
      image: db.prepare<[number], ImageRow & { mtime_ms: number }>(
        `SELECT ${IMAGE_COLUMNS}, bytes, mtime_ms, format FROM images WHERE id = ?`,
      ),
      tallies: db.prepare<[], { key: string; n: number }>(
        "SELECT key, n FROM tallies UNION ALL SELECT 'classes', count(*) FROM classes",
      ),
      box: db.prepare<[number], BoxRecord>('SELECT * FROM boxes WHERE id = ?'),
      boxesOf: db.prepare<[number], BoxRecord>('SELECT * FROM boxes WHERE image_id = ? ORDER BY id'),
      insertBox: db.prepare(
        `INSERT INTO boxes (id, image_id, class_id, x, y, w, h, source, teacher, teacher_version, run_id, score,
                            attributes, created_at, updated_at)
         VALUES (@id, @image_id, @class_id, @x, @y, @w, @h, @source, @teacher, @teacher_version, @run_id, @score,
                 @attributes, @created_at, @updated_at)`,
      ),
      updateBox: db.prepare(
        `UPDATE boxes SET class_id = @class_id, x = @x, y = @y, w = @w, h = @h, source = @source,
                          attributes = @attributes, updated_at = @updated_at WHERE id = @id`,
      ),
      deleteBox: db.prepare<[number]>('DELETE FROM boxes WHERE id = ?'),
      logEdit: db.prepare(
        `INSERT INTO edits (at, image_id, action, before, after) VALUES (@at, @image_id, @action, @before, @after)`,
      ),
      dropRedo: db.prepare('DELETE FROM edits WHERE undone_at IS NOT NULL'),
      lastDone: db.prepare<[], EditRecord>('SELECT * FROM edits WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1'),
      firstUndone: db.prepare<[], EditRecord>(
        'SELECT * FROM edits WHERE undone_at IS NOT NULL ORDER BY id ASC LIMIT 1',
      ),
      markUndone: db.prepare<[number | null, number]>('UPDATE edits SET undone_at = ? WHERE id = ?'),
      setReviewed: db.prepare<[number | null, number]>('UPDATE images SET reviewed_at = ? WHERE id = ?'),
      reviewedAt: db.prepare<[number], { reviewed_at: number | null }>('SELECT reviewed_at FROM images WHERE id = ?'),
      clearDisagree: db.prepare<[number]>('UPDATE images SET disagree = NULL WHERE id = ?'),
      dropPredicted: db.prepare<[number]>("DELETE FROM boxes WHERE image_id = ? AND source = 'predicted'"),
      setDisagree: db.prepare<[{ id: number }], { disagree: number }>(
        `UPDATE images SET disagree = ${disagreeOf('@id')} WHERE id = @id RETURNING disagree`,
      ),
    }
  }

  /** Open (creating if `create`) the project in `dir`, migrating its database to the current schema. */
  static open(dir: string, { create = false } = {}): Store {
    const file = path.join(dir, DB_FILE)
    if (!fs.existsSync(file)) {
      if (!create) throw new Error(`${dir} is not a Kindling project (no ${DB_FILE})`)
      makeProjectFolder(dir)
    }
    const db = openDatabase(file) // pragmas, and kindling_disagree(), which the "predictions disagree" triggers call
    try {
      migrate(db)
    } catch (error) {
      db.close()
      throw error
    }
    return new Store(dir, db)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  // ---- images ------------------------------------------------------------------------------------------------------

  /** What the store knows of a path: lets a re-import skip unchanged files without reading them. */
  imageAtPath(p: string): { id: number; bytes: number; mtimeMs: number } | undefined {
    const r = this.stmt.imageByPath.get(p)
    return r && { id: r.id, bytes: r.bytes, mtimeMs: r.mtime_ms }
  }

  imageWithSha(sha256: string): { id: number; path: string } | undefined {
    return this.stmt.imageBySha.get(sha256)
  }

  /** Insert a batch in one transaction. Returns, per image, whether it was new (false: same path or content exists). */
  addImages(images: NewImage[], now = Date.now()): boolean[] {
    return this.db.transaction(() =>
      images.map((im) => this.stmt.insertImage.run({ ...im, importedAt: now }).changes === 1),
    )()
  }

  image(id: number): ImageRow | undefined {
    const r = this.stmt.image.get(id)
    if (!r) return undefined
    const { mtime_ms, ...rest } = r
    return { ...rest, name: path.basename(r.path), mtimeMs: mtime_ms }
  }

  counts(): Counts {
    const t = Object.fromEntries(this.stmt.tallies.all().map((r) => [r.key, r.n]))
    const byState: Record<ReviewState, number> = {
      new: t['state:new'],
      kindled: t['state:kindled'],
      reviewed: t['state:reviewed'],
    }
    return {
      images: byState.new + byState.kindled + byState.reviewed,
      boxes: t.boxes,
      labelled: t.labelled,
      reviewed: byState.reviewed,
      kindled: t.kindled,
      classes: t.classes,
      byState,
    }
  }

  /**
   * A page of the filtered, sorted list. The inner query walks only the (state, path) or (state, id) index — a
   * covering scan, so a page deep in 100,000 images costs a few milliseconds — and the outer one reads just the rows
   * on the page.
   */
  page(opts: { state?: ReviewState; sort: ImageSort; offset: number; limit: number }): {
    total: number
    items: ImageSummary[]
  } {
    const where = opts.state ? 'WHERE state = @state' : ''
    const order = ORDER[opts.sort]
    const sql = `SELECT ${IMAGE_COLUMNS} FROM images
      WHERE id IN (SELECT id FROM images ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset)
      ORDER BY ${order}`
    const rows = this.cached(sql).all({ state: opts.state, limit: opts.limit, offset: opts.offset }) as Omit<
      ImageSummary,
      'name'
    >[]
    const counts = this.counts()
    const total = opts.state ? counts.byState[opts.state] : counts.images
    return { total, items: rows.map((r) => ({ ...r, name: path.basename(r.path) })) }
  }

  /**
   * Up to `limit` photos of the review queue after (or before) `from` in queue order; without `from`, from the start
   * (or the end). A keyset seek on the sort's index: the cost does not grow with the queue or the position, and `from`
   * need not be in the queue itself (a photo just accepted out of "unreviewed" still has a place to go on from).
   */
  queueStep(q: ReviewQueueOptions, from: number | undefined, direction: 'next' | 'previous', limit: number): number[] {
    const bind: Record<string, unknown> = { ...this.queueBind(q), limit }
    const terms = reviewWhere(q)
    const { term, order } = keyset(q.sort, direction === 'next' ? 'after' : 'before')
    if (from !== undefined) {
      const key = this.queueKey(q.sort, from)
      if (!key) return []
      Object.assign(bind, key)
      terms.push(term)
    }
    const sql = `SELECT id FROM images ${whereOf(terms)} ORDER BY ${order} LIMIT @limit`
    return (this.cached(sql).all(bind) as { id: number }[]).map((r) => r.id)
  }

  /**
   * Where a photo stands in the queue: the queue's size, how many photos come before it, and whether it is in the
   * queue at all (an accepted photo leaves "unreviewed"). Counting is linear in the position (an index range count),
   * so the page asks for it after it has shown the photo, never before.
   */
  queuePosition(q: ReviewQueueOptions, id: number): { total: number; before: number; member: boolean } {
    const bind = this.queueBind(q)
    const terms = reviewWhere(q, 'count')
    return this.db.transaction(() => {
      const key = this.queueKey(q.sort, id)
      if (!key) return { total: this.queueTotal(q), before: 0, member: false }
      const { term } = keyset(q.sort, 'before')
      const count = (t: string[]) => (this.cached(`SELECT count(*) AS n FROM images ${whereOf(t)}`).get({ ...bind, ...key }) as { n: number }).n
      const member = this.cached(`SELECT 1 FROM images WHERE id = @id ${terms.map((t) => `AND ${t}`).join(' ')}`).get({ ...bind, id }) !== undefined
      return { total: this.queueTotal(q), before: count([...terms, term]), member }
    })()
  }

  /**
   * A window of the review queue: `limit` ids from `offset`, or — with `around` — centred on that photo, with its
   * position (null when the photo is not in the queue). Built from keyset steps and counts, never a sort of the queue.
   */
  reviewQueue(
    q: ReviewQueueOptions,
    at: { around?: number; offset: number; limit: number },
  ): { total: number; offset: number; ids: number[]; position: number | null } {
    return this.db.transaction(() => {
      // One read transaction: total, rank and page all describe the same moment.
      if (at.around === undefined) {
        const sql = `SELECT id FROM images ${whereOf(reviewWhere(q))} ORDER BY ${queueOrder(q.sort)} LIMIT @limit OFFSET @offset`
        const rows = this.cached(sql).all({ ...this.queueBind(q), limit: at.limit, offset: at.offset }) as { id: number }[]
        return { total: this.queueTotal(q), offset: at.offset, ids: rows.map((r) => r.id), position: null }
      }
      const { total, before, member } = this.queuePosition(q, at.around)
      const previous = this.queueStep(q, at.around, 'previous', Math.max(0, Math.floor((at.limit - 1) / 2))).reverse()
      const next = this.queueStep(q, at.around, 'next', Math.max(0, at.limit - previous.length - (member ? 1 : 0)))
      return {
        total,
        offset: before - previous.length,
        ids: [...previous, ...(member ? [at.around] : []), ...next],
        position: member ? before : null,
      }
    })()
  }

  private queueBind(q: ReviewQueueOptions) {
    return { lowScore: q.lowScore, classId: q.classId, split: q.split }
  }

  /** The sort key of one photo as `@k0…` bindings, or undefined when there is no such photo. */
  private queueKey(sort: ReviewSort, id: number): QueueKey | undefined {
    const { cols } = QUEUE_SORT[sort]
    const row = this.cached(`SELECT ${cols.join(', ')} FROM images WHERE id = ?`).get(id) as QueueKey | undefined
    return row && Object.fromEntries(cols.map((c, i) => [`k${i}`, row[c]]))
  }

  /** The queue's size; the plain state filters come from the running tallies instead of a count. */
  private queueTotal(q: ReviewQueueOptions): number {
    if (q.classId === undefined && q.split === undefined) {
      const c = this.counts()
      if (q.filter === 'all') return c.images
      if (q.filter === 'reviewed') return c.reviewed
      if (q.filter === 'unreviewed') return c.images - c.reviewed
    }
    const sql = `SELECT count(*) AS n FROM images ${whereOf(reviewWhere(q, 'count'))}`
    return (this.cached(sql).get(this.queueBind(q)) as { n: number }).n
  }

  /** The project's classes in key order (number key n picks the class at position n − 1). */
  classes(): ClassInfo[] {
    return this.cached('SELECT id, name, color, position FROM classes ORDER BY position, id').all() as ClassInfo[]
  }

  /**
   * A new class at the end of the key order, logged for undo with it. The name is unique (the table says so; the caller
   * words the error).
   */
  addClass(name: string, color: string, now = Date.now()): ClassInfo {
    return this.db.transaction(() => {
      const position = (this.cached('SELECT coalesce(max(position) + 1, 0) AS p FROM classes').get() as { p: number }).p
      const id = Number(this.cached('INSERT INTO classes (name, color, position) VALUES (?, ?, ?)').run(name, color, position).lastInsertRowid)
      const row: ClassInfo = { id, name, color, position }
      this.log('class.add', null, null, row, now)
      return row
    })()
  }

  /** Rename or recolour a class, logged for undo. A change to what it already is is no edit: nothing to undo. */
  updateClass(id: number, change: { name?: string; color?: string }, now = Date.now()): ClassInfo | undefined {
    return this.db.transaction(() => {
      const before = this.classRow(id)
      if (!before) return undefined
      const after: ClassInfo = { ...before, name: change.name ?? before.name, color: change.color ?? before.color }
      if (after.name === before.name && after.color === before.color) return before
      this.cached('UPDATE classes SET name = @name, color = @color WHERE id = @id').run(after)
      this.log('class.update', null, before, after, now)
      return after
    })()
  }

  /** Label boxes of a class (not predictions): a class in use cannot be deleted without losing labels. */
  boxesOfClass(id: number): number {
    return (this.cached("SELECT count(*) AS n FROM boxes WHERE class_id = ? AND source <> 'predicted'").get(id) as { n: number }).n
  }

  /**
   * Remove a class row, with the model's predictions of it: they are no labels (a new predict makes them again), and
   * left behind they would point at no class. Callers have checked that no label box uses it.
   */
  private removeClass(id: number): void {
    this.cached("DELETE FROM boxes WHERE class_id = ? AND source = 'predicted'").run(id)
    this.cached('DELETE FROM classes WHERE id = ?').run(id)
  }

  /** Delete a class, logged for undo (its row comes back with its id, so boxes in older edits still point at it). */
  deleteClass(id: number, now = Date.now()): void {
    this.db.transaction(() => {
      const before = this.classRow(id)
      if (!before) return
      this.removeClass(id)
      this.log('class.delete', null, before, null, now)
    })()
  }

  private classRow(id: number): ClassInfo | undefined {
    return this.cached('SELECT id, name, color, position FROM classes WHERE id = ?').get(id) as ClassInfo | undefined
  }

  box(id: number): Box | undefined {
    const r = this.stmt.box.get(id)
    return r && toBox(r)
  }

  private readonly statements = new Map<string, Database.Statement>()
  private cached(sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)))
    return s
  }

  // ---- boxes and the edit log ----------------------------------------------------------------------------------------

  boxes(imageId: number): Box[] {
    return this.stmt.boxesOf.all(imageId).map(toBox)
  }

  /**
   * Add a box. Human edits go through the edit log (so they can be undone, even after a restart); machine labels
   * (kindled, predicted) are bulk data and are not logged.
   */
  addBox(b: NewBox, now = Date.now()): Box {
    return this.db.transaction(() => {
      const record: Omit<BoxRecord, 'id'> & { id: number | null } = {
        id: null,
        image_id: b.imageId,
        class_id: b.classId,
        x: b.x,
        y: b.y,
        w: b.w,
        h: b.h,
        source: b.source,
        teacher: b.teacher ?? null,
        teacher_version: b.teacherVersion ?? null,
        run_id: b.runId ?? null,
        score: b.score ?? null,
        attributes: JSON.stringify(b.attributes ?? {}),
        created_at: now,
        updated_at: now,
      }
      const id = Number(this.stmt.insertBox.run(record).lastInsertRowid)
      const row = this.stmt.box.get(id)!
      if (b.source === 'human') this.log('box.add', b.imageId, null, row, now)
      return toBox(row)
    })()
  }

  /** A person changes a box: it becomes a human box (its teacher provenance stays, to show where it came from). */
  updateBox(id: number, change: BoxChange, now = Date.now()): Box {
    return this.db.transaction(() => {
      const before = this.requireBox(id)
      const after: BoxRecord = {
        ...before,
        class_id: change.classId ?? before.class_id,
        x: change.x ?? before.x,
        y: change.y ?? before.y,
        w: change.w ?? before.w,
        h: change.h ?? before.h,
        attributes: change.attributes ? JSON.stringify(change.attributes) : before.attributes,
        source: 'human',
        updated_at: now,
      }
      this.stmt.updateBox.run(after)
      this.log('box.update', before.image_id, before, after, now)
      return toBox(after)
    })()
  }

  deleteBox(id: number, now = Date.now()): void {
    this.db.transaction(() => {
      const before = this.requireBox(id)
      this.stmt.deleteBox.run(id)
      this.log('box.delete', before.image_id, before, null, now)
    })()
  }

  /**
   * Store a model's detections on photos, replacing each photo's earlier predicted boxes (of any run), in one
   * transaction; then the photo's "disagree" flag is set from them and its labels. Predictions are bulk data, like
   * kindled boxes: not in the edit log. Photos that left the project meanwhile are skipped. Returns, per photo written,
   * whether it disagrees.
   */
  replacePredictions(
    runId: number,
    photos: readonly { imageId: number; boxes: readonly Omit<NewPrediction, 'imageId'>[] }[],
    now = Date.now(),
  ): Map<number, boolean> {
    const result = new Map<number, boolean>()
    this.db.transaction(() => {
      for (const { imageId, boxes } of photos) {
        if (!this.stmt.reviewedAt.get(imageId)) continue
        // NULL first, so the triggers skip the deletes and inserts below; the flag is computed once at the end.
        this.stmt.clearDisagree.run(imageId)
        this.stmt.dropPredicted.run(imageId)
        for (const b of boxes) {
          this.stmt.insertBox.run({
            id: null,
            image_id: imageId,
            class_id: b.classId,
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
            source: 'predicted',
            teacher: null,
            teacher_version: null,
            run_id: runId,
            score: b.score,
            attributes: '{}',
            created_at: now,
            updated_at: now,
          })
        }
        result.set(imageId, this.stmt.setDisagree.get({ id: imageId })!.disagree === 1)
      }
    })()
    return result
  }

  /** A photo's "predictions disagree" flag: null when no model has predicted on it. */
  disagree(imageId: number): boolean | null {
    const row = this.cached('SELECT disagree FROM images WHERE id = ?').get(imageId) as { disagree: number | null } | undefined
    return row?.disagree == null ? null : row.disagree === 1
  }

  /** Mark an image reviewed (or not): a person has checked every box on it. */
  setReviewed(imageId: number, reviewed: boolean, now = Date.now()): void {
    this.db.transaction(() => {
      const before = this.stmt.reviewedAt.get(imageId)
      if (!before) throw new Error(`no image with id ${imageId}`)
      const after = { reviewed_at: reviewed ? now : null }
      this.stmt.setReviewed.run(after.reviewed_at, imageId)
      this.log('image.review', imageId, before, after, now)
    })()
  }

  /** Undo the latest edit that is not undone. Returns it, or undefined when there is nothing to undo. */
  undo(now = Date.now()): Edit | undefined {
    return this.db.transaction(() => {
      const e = this.stmt.lastDone.get()
      if (!e) return undefined
      this.apply(e, 'backward')
      this.stmt.markUndone.run(now, e.id)
      return { id: e.id, imageId: e.image_id, action: e.action }
    })()
  }

  redo(): Edit | undefined {
    return this.db.transaction(() => {
      const e = this.stmt.firstUndone.get()
      if (!e) return undefined
      this.apply(e, 'forward')
      this.stmt.markUndone.run(null, e.id)
      return { id: e.id, imageId: e.image_id, action: e.action }
    })()
  }

  private requireBox(id: number): BoxRecord {
    const row = this.stmt.box.get(id)
    if (!row) throw new Error(`no box with id ${id}`)
    return row
  }

  private log(action: EditAction, imageId: number | null, before: object | null, after: object | null, now: number) {
    this.stmt.dropRedo.run() // a new edit ends the redo branch, as in every editor
    this.stmt.logEdit.run({
      at: now,
      image_id: imageId,
      action,
      before: before && JSON.stringify(before),
      after: after && JSON.stringify(after),
    })
  }

  private apply(e: EditRecord, direction: 'forward' | 'backward') {
    const target = direction === 'forward' ? e.after : e.before
    const state = target ? (JSON.parse(target) as Record<string, unknown>) : null
    if (isClassEdit(e.action)) return this.applyClass(e, direction, state as ClassInfo | null)
    if (e.action === 'image.review') {
      this.stmt.setReviewed.run((state as { reviewed_at: number | null }).reviewed_at, e.image_id!)
      return
    }
    const boxId = (JSON.parse((e.after ?? e.before)!) as BoxRecord).id
    this.stmt.deleteBox.run(boxId)
    if (state) this.stmt.insertBox.run(state)
  }

  /**
   * Put a class back as it was before (or after) a class edit. The log is one stack, so boxes logged after a class was
   * added are undone before the class is; but an import adds boxes and classes without logging, so the class may be in
   * use, or its name or id taken, by now. Then the step is refused (thrown inside the undo or redo transaction, which
   * rolls back) rather than leave boxes pointing at no class or two classes under one name.
   */
  private applyClass(e: EditRecord, direction: 'forward' | 'backward', target: ClassInfo | null) {
    const id = (JSON.parse((e.after ?? e.before)!) as ClassInfo).id
    const step = `${direction === 'backward' ? 'undo' : 'redo'} ${CLASS_STEP[e.action as ClassEditAction]}`
    const current = this.classRow(id)
    if (!target) {
      // Undoing an add or redoing a delete: the class goes.
      const name = current?.name ?? (JSON.parse((e.after ?? e.before)!) as ClassInfo).name
      const used = this.boxesOfClass(id)
      if (used > 0) {
        throw new EditRefused(
          `cannot ${step} class "${name}": ${used === 1 ? '1 box uses' : `${used} boxes use`} it; ` +
            'delete or reclass them first',
        )
      }
      this.removeClass(id)
      return
    }
    const clash = this.classes().find((c) => c.id !== id && c.name.toLowerCase() === target.name.toLowerCase())
    if (clash) {
      throw new EditRefused(`cannot ${step} class "${target.name}": there is already a class "${clash.name}"`)
    }
    if (e.action === 'class.update') {
      if (!current) throw new EditRefused(`cannot ${step} class "${target.name}": it no longer exists`)
      this.cached('UPDATE classes SET name = @name, color = @color, position = @position WHERE id = @id').run(target)
      return
    }
    // Undoing a delete or redoing an add: the class comes back under its own id, which boxes in the log refer to.
    if (current) throw new EditRefused(`cannot ${step} class "${target.name}": its id ${id} is taken by "${current.name}"`)
    this.cached('INSERT INTO classes (id, name, color, position) VALUES (@id, @name, @color, @position)').run(target)
  }
}

/**
 * Create a project folder one level at a time from its nearest existing parent, so the error names the part of the
 * path that is wrong. (Node's recursive mkdir also never returns for some paths under /proc.)
 */
function makeProjectFolder(dir: string): void {
  const missing: string[] = []
  let existing = path.resolve(dir)
  while (!fs.existsSync(existing)) {
    missing.unshift(existing)
    existing = path.dirname(existing)
  }
  if (!fs.statSync(existing).isDirectory()) throw new Error(`cannot create a project in ${dir}: ${existing} is a file`)
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EROFS'
            ? 'read-only file system'
            : (error as Error).message
      throw new Error(`cannot create the project folder ${folder}: ${why}`)
    }
  }
}

interface EditRecord {
  id: number
  at: number
  image_id: number | null
  action: EditAction
  before: string | null
  after: string | null
  undone_at: number | null
}
