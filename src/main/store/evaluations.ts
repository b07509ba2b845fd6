// Evaluations of a run's checkpoint on a split (migration 17): `store.evaluations`. The detections of each photo are one
// blob of float32 rows [classIndex, x, y, w, h, score] (photo pixels), written a batch at a time as the job goes, so a
// 10,000-photo evaluation loads in one query and matching against the labels is redone without inferring again.
import { createHash } from 'node:crypto'
import type { EvalSplit, Evaluation, EvaluationState } from '../../shared/api.js'
import { decode, type Statements } from './statements.js'

export interface NewEvaluation {
  runId: number
  epoch: number
  split: EvalSplit
  checkpoint: string
  /** The photos it will infer over (their pixel size as the store has it). */
  photos: readonly { id: number; width: number; height: number }[]
  minScore: number
  topK: number
  /** The checkpoint's classes, in its order (detections' classIndex is 1-based in it). */
  classes: string[]
  /** Which weights it infers with (evaluations/checkpoint-identity.ts); without one it is judged by its start time. */
  identity?: { sha256: string; stamp: string } | null
}

/** One detection as kept: photo pixels, 1-based class in the checkpoint's order. */
export interface KeptDetection {
  classIndex: number
  x: number
  y: number
  w: number
  h: number
  score: number
}

export interface EvaluatedPhoto {
  imageId: number
  width: number
  height: number
  detections: KeptDetection[]
}

const FIELDS = 6

/** Float32 is plenty for pixels and scores, and a quarter of what JSON takes. */
export function packDetections(detections: readonly KeptDetection[]): Buffer {
  const values = new Float32Array(detections.length * FIELDS)
  detections.forEach((d, i) => values.set([d.classIndex, d.x, d.y, d.w, d.h, d.score], i * FIELDS))
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength)
}

export function unpackDetections(blob: Buffer): KeptDetection[] {
  // Copied into an aligned buffer: a Buffer from SQLite may start at any byte offset.
  const values = new Float32Array(new Uint8Array(blob).buffer)
  const out: KeptDetection[] = []
  for (let i = 0; i + FIELDS <= values.length; i += FIELDS) {
    out.push({ classIndex: values[i], x: values[i + 1], y: values[i + 2], w: values[i + 3], h: values[i + 4], score: values[i + 5] })
  }
  return out
}

const COLUMNS = `id, run_id AS runId, epoch, split, state, error, photos, done, skipped, detections, min_score AS minScore,
  top_k AS topK, checkpoint, started_at AS startedAt, finished_at AS finishedAt`

export const INTERRUPTED_EVALUATION = 'the studio stopped during the evaluation'

export class EvaluationStore {
  constructor(private readonly sql: Statements) {}

  /** A new running evaluation; its photos are listed (without detections) so `pending` knows what is left. */
  create(e: NewEvaluation, now = Date.now()): Evaluation {
    return this.sql.transaction(() => {
      const id = Number(
        this.sql
          .prepare(
            `INSERT INTO evaluations (run_id, epoch, split, checkpoint, state, photos, min_score, top_k, classes, started_at, pid,
               checkpoint_sha256, checkpoint_stamp)
             VALUES (@runId, @epoch, @split, @checkpoint, 'running', @photos, @minScore, @topK, @classes, @startedAt, @pid,
               @sha256, @stamp)`,
          )
          .run({
            runId: e.runId,
            epoch: e.epoch,
            split: e.split,
            checkpoint: e.checkpoint,
            photos: e.photos.length,
            minScore: e.minScore,
            topK: e.topK,
            classes: JSON.stringify(e.classes),
            startedAt: now,
            pid: process.pid,
            sha256: e.identity?.sha256 ?? null,
            stamp: e.identity?.stamp ?? null,
          }).lastInsertRowid,
      )
      return this.get(id)!
    })
  }

  get(id: number): Evaluation | undefined {
    const row = this.sql.prepare<[number], Record<string, unknown>>(`SELECT ${COLUMNS} FROM evaluations WHERE id = ?`).get(id)
    return row && decode<Evaluation>(row, {})
  }

  /** The identity of the checkpoint it inferred with; null for one made before identities were kept. */
  identity(id: number): { sha256: string; stamp: string } | null {
    const row = this.sql
      .prepare<[number], { sha256: string | null; stamp: string | null }>(
        'SELECT checkpoint_sha256 AS sha256, checkpoint_stamp AS stamp FROM evaluations WHERE id = ?',
      )
      .get(id)
    return row?.sha256 && row.stamp ? { sha256: row.sha256, stamp: row.stamp } : null
  }

  setIdentity(id: number, identity: { sha256: string; stamp: string }): void {
    this.sql
      .prepare<[string, string, number]>('UPDATE evaluations SET checkpoint_sha256 = ?, checkpoint_stamp = ? WHERE id = ?')
      .run(identity.sha256, identity.stamp, id)
  }

  /** An answer kept for `request` while the labels had `fingerprint` (JSON, as put), or null. */
  answer(id: number, request: string, fingerprint: string, now = Date.now()): string | null {
    const row = this.sql
      .prepare<[number, string, string], { answer: string }>(
        'SELECT answer FROM evaluation_answers WHERE evaluation_id = ? AND request = ? AND fingerprint = ?',
      )
      .get(id, request, fingerprint)
    if (!row) return null
    this.sql
      .prepare<[number, number, string]>('UPDATE evaluation_answers SET used_at = ? WHERE evaluation_id = ? AND request = ?')
      .run(now, id, request)
    return row.answer
  }

  /** Keep an answer; answers of other fingerprints go, and only the `keep` most recently used stay. */
  putAnswer(id: number, request: string, fingerprint: string, answer: string, keep = 24, now = Date.now()): void {
    this.sql.transaction(() => {
      this.sql.prepare<[number, string]>('DELETE FROM evaluation_answers WHERE evaluation_id = ? AND fingerprint != ?').run(id, fingerprint)
      this.sql
        .prepare<[number, string, string, string, number]>(
          'INSERT OR REPLACE INTO evaluation_answers (evaluation_id, request, fingerprint, answer, used_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(id, request, fingerprint, answer, now)
      this.sql
        .prepare<[number, number, number]>(
          `DELETE FROM evaluation_answers WHERE evaluation_id = ? AND request NOT IN
             (SELECT request FROM evaluation_answers WHERE evaluation_id = ? ORDER BY used_at DESC LIMIT ?)`,
        )
        .run(id, id, keep)
    })
  }

  /** The checkpoint's classes as the evaluation kept them. */
  classes(id: number): string[] {
    const row = this.sql.prepare<[number], { classes: string }>('SELECT classes FROM evaluations WHERE id = ?').get(id)
    return row ? (JSON.parse(row.classes) as string[]) : []
  }

  /** The newest evaluation of a checkpoint on a split that is done or still running (a failed or cancelled one is no answer). */
  current(runId: number, epoch: number, split: EvalSplit): Evaluation | undefined {
    const row = this.sql
      .prepare<[number, number, EvalSplit], Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM evaluations WHERE run_id = ? AND epoch = ? AND split = ? AND state IN ('done', 'running')
         ORDER BY id DESC LIMIT 1`,
      )
      .get(runId, epoch, split)
    return row && decode<Evaluation>(row, {})
  }

  list(runId: number): Evaluation[] {
    return this.sql
      .prepare<[number], Record<string, unknown>>(`SELECT ${COLUMNS} FROM evaluations WHERE run_id = ? ORDER BY id DESC`)
      .all(runId)
      .map((r) => decode<Evaluation>(r, {}))
  }

  /** One batch of inferred photos, and the evaluation's tallies, in one transaction. */
  addPhotos(id: number, photos: readonly EvaluatedPhoto[], skipped = 0): Evaluation {
    const insert = this.sql.prepare(
      `INSERT OR REPLACE INTO evaluation_photos (evaluation_id, image_id, width, height, detections)
       VALUES (?, ?, ?, ?, ?)`,
    )
    return this.sql.transaction(() => {
      let detections = 0
      for (const p of photos) {
        insert.run(id, p.imageId, p.width, p.height, packDetections(p.detections))
        detections += p.detections.length
      }
      this.sql
        .prepare<[number, number, number, number]>(
          'UPDATE evaluations SET done = done + ?, skipped = skipped + ?, detections = detections + ? WHERE id = ?',
        )
        .run(photos.length + skipped, skipped, detections, id)
      return this.get(id)!
    })
  }

  finish(id: number, state: Exclude<EvaluationState, 'running'>, error: string | null = null, now = Date.now()): Evaluation {
    this.sql
      .prepare<[EvaluationState, string | null, number, number]>('UPDATE evaluations SET state = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(state, error, now, id)
    return this.get(id)!
  }

  /** Every inferred photo with its detections (a photo deleted from the project since is gone with it). */
  photos(id: number): EvaluatedPhoto[] {
    return this.sql
      .prepare<[number], { imageId: number; width: number; height: number; detections: Buffer }>(
        'SELECT image_id AS imageId, width, height, detections FROM evaluation_photos WHERE evaluation_id = ? ORDER BY image_id',
      )
      .all(id)
      .map((r) => ({ ...r, detections: unpackDetections(r.detections) }))
  }

  /** Evaluations left running by a studio that stopped: failed (a new start evaluates again). */
  markInterrupted(now = Date.now()): number {
    let marked = 0
    const stale = this.sql.prepare<[string, number, number]>("UPDATE evaluations SET state = 'failed', error = ?, finished_at = ? WHERE id = ?")
    for (const e of this.sql.prepare<[], { id: number; pid: number | null }>("SELECT id, pid FROM evaluations WHERE state = 'running'").all()) {
      if (e.pid !== null && e.pid !== process.pid && alive(e.pid)) continue
      marked += stale.run(INTERRUPTED_EVALUATION, now, e.id).changes
    }
    return marked
  }

  /**
   * A cheap fingerprint of everything a match depends on in the project's labels — every label box (class, place,
   * attributes), which photos are reviewed, the classes' names (a run's classes are found by name) — from aggregate
   * queries: a box moved, added, deleted or reclassed, a photo accepted, or a class renamed, changes it. Project-wide,
   * so an edit outside the split matches again for nothing, which is cheap.
   */
  labelsFingerprint(): string {
    const b = this.sql
      .prepare<[], { n: number; ids: number; sum: number; attrs: number }>(
        `SELECT count(*) AS n, total(id) AS ids,
                total(id * 0.618 + class_id * 7.1 + x * 1.3 + y * 1.7 + w * 2.3 + h * 2.9) AS sum,
                total(length(attributes) * id) AS attrs
         FROM boxes WHERE source != 'predicted'`,
      )
      .get()!
    const r = this.sql
      .prepare<[], { n: number; ids: number }>('SELECT count(*) AS n, total(id) AS ids FROM images WHERE reviewed_at IS NOT NULL')
      .get()!
    const c = this.sql.prepare<[], { names: string | null }>("SELECT group_concat(id || ':' || name, '/') AS names FROM classes").get()!
    const classes = createHash('sha256')
      .update(c.names ?? '')
      .digest('hex')
      .slice(0, 12)
    return [b.n, b.ids, b.sum, b.attrs, r.n, r.ids].map((v) => Number(v).toString(36)).join('.') + '.' + classes
  }

  /** The label boxes (never predictions) of the evaluation's photos, with whether each photo is reviewed now. */
  labels(id: number): {
    imageId: number
    reviewed: boolean
    boxes: { id: number; classId: number; x: number; y: number; w: number; h: number; attributes: Record<string, { value?: unknown }> }[]
  }[] {
    // Two flat queries rather than a JSON array per photo, read as rows of values (no object per row from SQLite): a
    // label edit in a 10,000-photo evaluation reads them all again.
    type Box = ReturnType<EvaluationStore['labels']>[number]['boxes'][number]
    const photos = (
      this.sql
        .prepare<[number], unknown>(
          `SELECT p.image_id, i.reviewed_at IS NOT NULL
           FROM evaluation_photos p JOIN images i ON i.id = p.image_id WHERE p.evaluation_id = ? ORDER BY p.image_id`,
        )
        .raw(true)
        .all(id) as [number, number][]
    ).map(([imageId, reviewed]) => ({ imageId, reviewed: reviewed === 1, boxes: [] as Box[] }))
    const byImage = new Map(photos.map((p) => [p.imageId, p]))
    const rows = this.sql
      .prepare<[number], unknown>(
        `SELECT b.image_id, b.id, b.class_id, b.x, b.y, b.w, b.h, b.attributes
         FROM evaluation_photos p JOIN boxes b ON b.image_id = p.image_id
         WHERE p.evaluation_id = ? AND b.source != 'predicted' ORDER BY b.image_id, b.id`,
      )
      .raw(true)
      .all(id) as [number, number, number, number, number, number, number, string][]
    for (const [imageId, boxId, classId, x, y, w, h, attributes] of rows) {
      // Most boxes have none: parse only the ones that do.
      byImage.get(imageId)?.boxes.push({ id: boxId, classId, x, y, w, h, attributes: attributes === '{}' ? {} : JSON.parse(attributes) })
    }
    return photos
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
