// One SQLite file per project (`studio.db`), opened in WAL mode so readers (the UI, `kindling status`) never wait for a
// running import. All of the studio's SQL is in this folder, one module per table or concern, each preparing its
// statements through one Statements cache; `Store` opens the database and puts them together.
import type Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import type { ClassInfo, Counts, Edit, ImageSort, ImageSummary, ImageTag, ReviewBox, ReviewState, TagFilter } from '../../shared/api.js'
import { BoxStore, type BoxChange, type NewBox, type NewPrediction } from './boxes.js'
import { ClassStore } from './classes.js'
import { DeviceStore } from './devices.js'
import { EditLog } from './edits.js'
import { EvaluationStore } from './evaluations.js'
import { ImageStore, type ImageRow, type NewImage } from './images.js'
import { KindlingStore } from './kindlings.js'
import { openDatabase } from './database.js'
import { migrate } from './migrations/index.js'
import { ReviewQueue, type ReviewQueueOptions } from './review-queue.js'
import { RunStore } from './runs.js'
import { Statements } from './statements.js'
import { TagStore } from './tags.js'

export const DB_FILE = 'studio.db'

/**
 * An open project. The modules over its tables are made once per open database and share its statement cache:
 * `images`, `boxTable`, `classTable` and `tagTable` (the tables; `boxes()` and `classes()` are the Review page's reads), `edits`
 * (a person's edits and undo), `queue` (the review queue), `kindlings`, `runs` and `devices`. The methods below are
 * the store's everyday surface, each a step into one of them.
 */
export class Store {
  readonly db: Database.Database
  readonly images: ImageStore
  readonly boxTable: BoxStore
  readonly classTable: ClassStore
  readonly tagTable: TagStore
  readonly edits: EditLog
  readonly queue: ReviewQueue
  readonly kindlings: KindlingStore
  readonly runs: RunStore
  readonly devices: DeviceStore
  readonly evaluations: EvaluationStore
  private readonly sql: Statements

  private constructor(
    readonly dir: string,
    db: Database.Database,
  ) {
    this.db = db
    const sql = (this.sql = new Statements(db))
    this.images = new ImageStore(sql)
    this.boxTable = new BoxStore(sql)
    this.classTable = new ClassStore(sql)
    this.tagTable = new TagStore(sql)
    this.edits = new EditLog(sql, this.images, this.boxTable, this.classTable, this.tagTable)
    this.queue = new ReviewQueue(sql, this.images)
    this.kindlings = new KindlingStore(sql, this.boxTable, this.tagTable)
    this.runs = new RunStore(sql)
    this.devices = new DeviceStore(sql)
    this.evaluations = new EvaluationStore(sql)
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

  /**
   * SQLite's `data_version`: a number that moves when another connection (another process, a second studio) commits
   * to this database, and never for this connection's own writes. Cheap: it reads no table.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number
  }

  /** Run `fn` in one transaction: reads in it see one moment, writes in it commit together or not at all. */
  transaction<T>(fn: () => T): T {
    return this.sql.transaction(fn)
  }

  // ---- images ------------------------------------------------------------------------------------------------------

  /** What the store knows of a path: lets a re-import skip unchanged files without reading them. */
  imageAtPath(p: string): { id: number; bytes: number; mtimeMs: number } | undefined {
    return this.images.atPath(p)
  }

  imageWithSha(sha256: string): { id: number; path: string } | undefined {
    return this.images.withSha(sha256)
  }

  /** Insert a batch in one transaction. Returns, per image, whether it was new (false: same path or content exists). */
  addImages(images: NewImage[], now = Date.now()): boolean[] {
    return this.images.add(images, now)
  }

  image(id: number): ImageRow | undefined {
    return this.images.get(id)
  }

  counts(): Counts {
    return this.images.counts()
  }

  page(opts: { state?: ReviewState; tag?: TagFilter; sort: ImageSort; offset: number; limit: number }): {
    total: number
    items: ImageSummary[]
  } {
    return this.images.page(opts)
  }

  /** A photo's "predictions disagree" flag: null when no model has predicted on it. */
  disagree(imageId: number): boolean | null {
    return this.images.disagree(imageId)
  }

  // ---- the review queue ----------------------------------------------------------------------------------------------

  queueStep(q: ReviewQueueOptions, from: number | undefined, direction: 'next' | 'previous', limit: number): number[] {
    return this.queue.step(q, from, direction, limit)
  }

  queuePosition(q: ReviewQueueOptions, id: number): { total: number; before: number; member: boolean } {
    return this.queue.position(q, id)
  }

  reviewQueue(
    q: ReviewQueueOptions,
    at: { around?: number; offset: number; limit: number },
  ): { total: number; offset: number; ids: number[]; position: number | null } {
    return this.queue.window(q, at)
  }

  // ---- classes, boxes and the edit log -------------------------------------------------------------------------------

  /** The project's classes in key order (number key n picks the class at position n − 1). */
  classes(): ClassInfo[] {
    return this.classTable.list()
  }

  /** A new class, logged for undo; its colour from the palette unless given. */
  addClass(name: string, color?: string, now = Date.now()): ClassInfo {
    return this.edits.addClass(name, color, now)
  }

  updateClass(id: number, change: { name?: string; color?: string }, now = Date.now()): ClassInfo | undefined {
    return this.edits.updateClass(id, change, now)
  }

  /** Label boxes of a class (not predictions): a class in use cannot be deleted without losing labels. */
  boxesOfClass(id: number): number {
    return this.boxTable.labelsOfClass(id)
  }

  deleteClass(id: number, now = Date.now()): void {
    this.edits.deleteClass(id, now)
  }

  box(id: number): ReviewBox | undefined {
    return this.boxTable.get(id)
  }

  boxes(imageId: number): ReviewBox[] {
    return this.boxTable.ofImage(imageId)
  }

  /** Add a box; a person's is logged for undo, a machine label (kindled, predicted) is not. */
  addBox(b: NewBox, now = Date.now()): ReviewBox {
    return this.edits.addBox(b, now)
  }

  updateBox(id: number, change: BoxChange, now = Date.now()): ReviewBox {
    return this.edits.updateBox(id, change, now)
  }

  deleteBox(id: number, now = Date.now()): void {
    this.edits.deleteBox(id, now)
  }

  replacePredictions(
    runId: number,
    photos: readonly { imageId: number; boxes: readonly Omit<NewPrediction, 'imageId'>[] }[],
    now = Date.now(),
  ): Map<number, boolean> {
    return this.boxTable.replacePredictions(runId, photos, now)
  }

  /** A photo's tags by name, each with its layers (the top one is the tag). */
  tags(imageId: number): ImageTag[] {
    return this.tagTable.ofImage(imageId)
  }

  /** A person sets a photo's tag (their layer), logged for undo. */
  setTag(imageId: number, name: string, value: boolean, now = Date.now()): void {
    this.edits.setTag(imageId, name, value, now)
  }

  /** A person takes back their say on a photo's tag, logged for undo. */
  clearTag(imageId: number, name: string, now = Date.now()): void {
    this.edits.clearTag(imageId, name, now)
  }

  setReviewed(imageId: number, reviewed: boolean, now = Date.now()): void {
    this.edits.setReviewed(imageId, reviewed, now)
  }

  undo(now = Date.now()): Edit | undefined {
    return this.edits.undo(now)
  }

  redo(): Edit | undefined {
    return this.edits.redo()
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
        code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (error as Error).message
      throw new Error(`cannot create the project folder ${folder}: ${why}`, { cause: error })
    }
  }
}
