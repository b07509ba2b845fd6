// The `boxes` table: every box, whoever drew it — a person (human, also imported labels), a teacher (kindled) or a
// trained model (predicted) — written through one INSERT, and the reads of them the studio makes.
import type { BoxSource, ReviewBox, ThumbnailBox } from '../../shared/api.js'
import { disagreeOf } from './disagree.js'
import { decode, type Statements } from './statements.js'

export type NewBox = Omit<ReviewBox, 'id' | 'teacher' | 'teacherVersion' | 'runId' | 'score' | 'attributes'> &
  Partial<Pick<ReviewBox, 'teacher' | 'teacherVersion' | 'runId' | 'score' | 'attributes'>>

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

export type BoxChange = Partial<Pick<ReviewBox, 'classId' | 'x' | 'y' | 'w' | 'h' | 'attributes'>>

/**
 * A box row exactly as the table holds it. The edit log keeps boxes in this form (JSON of the row, since migration 2),
 * so an undo puts back what was there, and logs written by earlier versions stay readable.
 */
export interface BoxRow {
  id: number | null
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

/** A label box with its photo's size and class name (for the anchor coverage report). */
export interface SizedLabelBox {
  imageId: number
  width: number
  height: number
  x: number
  y: number
  w: number
  h: number
  className: string
}

const BOX_COLUMNS = `id, image_id AS imageId, class_id AS classId, x, y, w, h, source, teacher,
  teacher_version AS teacherVersion, run_id AS runId, score, attributes`

const BOX = `SELECT ${BOX_COLUMNS} FROM boxes WHERE id = ?`
const BOXES_OF_IMAGE = `SELECT ${BOX_COLUMNS} FROM boxes WHERE image_id = ? ORDER BY id`

const toBox = (r: Record<string, unknown>) => decode<ReviewBox>(r, { json: ['attributes'] })

/** The row a new box is stored as: provenance it does not have is null, and it has no attributes unless given. */
export function newBoxRow(b: NewBox, now: number): BoxRow {
  return {
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
}

export class BoxStore {
  constructor(private readonly sql: Statements) {}

  get(id: number): ReviewBox | undefined {
    const r = this.sql.prepare<[number], Record<string, unknown>>(BOX).get(id)
    return r && toBox(r)
  }

  ofImage(imageId: number): ReviewBox[] {
    return this.sql.prepare<[number], Record<string, unknown>>(BOXES_OF_IMAGE).all(imageId).map(toBox)
  }

  /** The stored row, as the edit log keeps it. */
  row(id: number): BoxRow | undefined {
    return this.sql.prepare<[number], BoxRow>('SELECT * FROM boxes WHERE id = ?').get(id)
  }

  /** Add a box (not logged: see EditLog for a person's edits). Returns its id. */
  add(b: NewBox, now = Date.now()): number {
    return this.insert(newBoxRow(b, now))
  }

  /** Write a row; with its id when an undo puts a box back, a new id when `id` is null. The table's only INSERT. */
  insert(row: BoxRow): number {
    const insert = this.sql.prepare<BoxRow>(
      `INSERT INTO boxes (id, image_id, class_id, x, y, w, h, source, teacher, teacher_version, run_id, score,
                          attributes, created_at, updated_at)
       VALUES (@id, @image_id, @class_id, @x, @y, @w, @h, @source, @teacher, @teacher_version, @run_id, @score,
               @attributes, @created_at, @updated_at)`,
    )
    return Number(insert.run(row).lastInsertRowid)
  }

  /** Store a changed row (what a person may change of a box, and its source). */
  update(row: BoxRow): void {
    this.sql
      .prepare<BoxRow>(
        `UPDATE boxes SET class_id = @class_id, x = @x, y = @y, w = @w, h = @h, source = @source,
                          attributes = @attributes, updated_at = @updated_at WHERE id = @id`,
      )
      .run(row)
  }

  delete(id: number): void {
    this.sql.prepare<[number]>('DELETE FROM boxes WHERE id = ?').run(id)
  }

  /** Label boxes of a class (not predictions): a class in use cannot be deleted without losing labels. */
  labelsOfClass(classId: number): number {
    return this.sql
      .prepare<[number], { n: number }>("SELECT count(*) AS n FROM boxes WHERE class_id = ? AND source <> 'predicted'")
      .get(classId)!.n
  }

  /** A class's predictions go with the class: they are no labels (a new predict makes them again). */
  deletePredictionsOfClass(classId: number): void {
    this.sql.prepare<[number]>("DELETE FROM boxes WHERE class_id = ? AND source = 'predicted'").run(classId)
  }

  /** A teacher's earlier boxes on a photo, which kindling it again replaces. */
  deleteKindled(imageId: number, teacher: string): void {
    this.sql.prepare<[number, string]>("DELETE FROM boxes WHERE image_id = ? AND source = 'kindled' AND teacher = ?").run(imageId, teacher)
  }

  /** A photo's human boxes (drawn or imported), to tell an imported box the photo already has. */
  human(imageId: number): { classId: number; x: number; y: number; w: number; h: number }[] {
    return this.sql
      .prepare<[number], { classId: number; x: number; y: number; w: number; h: number }>(
        "SELECT class_id AS classId, x, y, w, h FROM boxes WHERE image_id = ? AND source = 'human'",
      )
      .all(imageId)
  }

  /** Boxes of the given sources with their class names, by photo: what an export writes. */
  withClassNames(sources: readonly BoxSource[]): { imageId: number; className: string; x: number; y: number; w: number; h: number }[] {
    return this.sql
      .prepare<BoxSource[], { imageId: number; className: string; x: number; y: number; w: number; h: number }>(
        `SELECT b.image_id AS imageId, c.name AS className, b.x, b.y, b.w, b.h FROM boxes b JOIN classes c ON c.id = b.class_id
         WHERE b.source IN (${sources.map(() => '?').join(', ')}) ORDER BY b.image_id, b.id`,
      )
      .all(...sources)
  }

  /** Every label box (not a model's predictions) with its photo's size and its class name, by photo. */
  labelsWithSizes(): SizedLabelBox[] {
    return this.sql
      .prepare<[], SizedLabelBox>(
        `SELECT b.image_id AS imageId, i.width, i.height, b.x, b.y, b.w, b.h, c.name AS className
           FROM boxes b JOIN images i ON i.id = b.image_id JOIN classes c ON c.id = b.class_id
          WHERE b.source != 'predicted'
          ORDER BY b.image_id, b.id`,
      )
      .all()
  }

  /**
   * The boxes of the given photos in fractions of each photo's size, for the Library's thumbnails. One indexed lookup
   * per photo (boxes_by_image); photos with no size recorded yet are left out rather than divided by 0.
   */
  thumbnails(imageIds: readonly number[]): ThumbnailBox[] {
    return this.sql
      .prepare<[string], ThumbnailBox>(
        `SELECT b.image_id AS imageId, b.x * 1.0 / i.width AS x, b.y * 1.0 / i.height AS y, b.w * 1.0 / i.width AS w,
                b.h * 1.0 / i.height AS h, b.source, b.score
         FROM json_each(?) AS j JOIN images i ON i.id = j.value JOIN boxes b ON b.image_id = i.id
         WHERE i.width > 0 AND i.height > 0
         ORDER BY b.image_id, b.id`,
      )
      .all(JSON.stringify(imageIds))
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
    const exists = this.sql.prepare<[number]>('SELECT 1 FROM images WHERE id = ?')
    const clearDisagree = this.sql.prepare<[number]>('UPDATE images SET disagree = NULL WHERE id = ?')
    const dropPredicted = this.sql.prepare<[number]>("DELETE FROM boxes WHERE image_id = ? AND source = 'predicted'")
    const setDisagree = this.sql.prepare<{ id: number }, { disagree: number }>(
      `UPDATE images SET disagree = ${disagreeOf('@id')} WHERE id = @id RETURNING disagree`,
    )
    const result = new Map<number, boolean>()
    this.sql.transaction(() => {
      for (const { imageId, boxes } of photos) {
        if (!exists.get(imageId)) continue
        // NULL first, so the triggers skip the deletes and inserts below; the flag is computed once at the end.
        clearDisagree.run(imageId)
        dropPredicted.run(imageId)
        for (const b of boxes) this.add({ ...b, imageId, source: 'predicted', runId }, now)
        result.set(imageId, setDisagree.get({ id: imageId })!.disagree === 1)
      }
    })
    return result
  }
}
