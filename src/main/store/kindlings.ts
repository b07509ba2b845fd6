// What kindling reads and writes: which photos a kindling job takes, and a batch of a teacher's results — its boxes on
// each photo, the photo marked kindled, and a `kindlings` row saying with what (migration 4), so a resumed job skips it.
// A photo's tags that come from its faces (kindling with --smile: "smiling") are written with its boxes.
import type { BoxStore, NewBox } from './boxes.js'
import type { TagStore } from './tags.js'
import { decode, type Statements } from './statements.js'

/** A photo a kindling job may take, with whether a person reviewed it and whether this teacher already kindled it. */
export interface KindleCandidate {
  id: number
  path: string
  width: number
  height: number
  reviewed: boolean
  done: boolean
}

/** The teacher, its version and its settings key: what a `kindlings` row records, and what makes a photo done. */
export interface KindledWith {
  teacher: string
  version: string
  key: string
}

/** One photo's kindled boxes (class, frame and provenance are set by `write`). */
export interface KindledPhoto {
  imageId: number
  boxes: Pick<NewBox, 'x' | 'y' | 'w' | 'h' | 'score' | 'attributes'>[]
  /**
   * Tags of the whole photo the teacher's faces decide, as the `kindled` layer; `value` null: no say this time (no
   * face), so an earlier kindling's value goes rather than outlive the boxes it came from.
   */
  tags?: KindledTag[]
}

export interface KindledTag {
  name: string
  value: boolean | null
  score: number | null
  /** What decided it (the face-expression net for "smiling"), as a kindled box's attribute names it. */
  teacher: string
}

/** What became of a photo in a batch: gone (it left the project meanwhile), reviewed meanwhile, or kindled. */
export type KindleOutcome = 'gone' | 'reviewed' | 'kindled'

export class KindlingStore {
  constructor(
    private readonly sql: Statements,
    private readonly boxes: BoxStore,
    private readonly tags: TagStore,
  ) {}

  /** The photos in the selection (all, or `imageIds`; `onlyNew`: none a teacher has kindled yet), in id order. */
  candidates(selection: { imageIds?: readonly number[]; onlyNew?: boolean }, by: KindledWith): KindleCandidate[] {
    const where = [
      selection.imageIds ? 'i.id IN (SELECT value FROM json_each(@ids))' : null,
      selection.onlyNew ? 'i.kindled_at IS NULL' : null,
    ].filter(Boolean)
    return this.sql
      .prepare<object, Record<string, unknown>>(
        `SELECT i.id, i.path, i.width, i.height, i.reviewed_at IS NOT NULL AS reviewed,
                (k.teacher = @teacher AND k.teacher_version = @version AND k.settings = @key) IS 1 AS done
         FROM images i LEFT JOIN kindlings k ON k.image_id = i.id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY i.id`,
      )
      .all({ ids: selection.imageIds ? JSON.stringify(selection.imageIds) : null, ...by })
      .map((r) => decode<KindleCandidate>(r, { flags: ['reviewed', 'done'] }))
  }

  /**
   * Write a batch in one transaction: per photo, the teacher's earlier boxes replaced by these, as class `classId`.
   * A photo a person has reviewed meanwhile is left as it is (theirs wins), as is one no longer in the project.
   */
  write(photos: readonly KindledPhoto[], classId: number, by: KindledWith, now: number): KindleOutcome[] {
    const isReviewed = this.sql.prepare<[number], { reviewed: number }>('SELECT reviewed_at IS NOT NULL AS reviewed FROM images WHERE id = ?')
    const markKindled = this.sql.prepare<[number, number]>('UPDATE images SET kindled_at = ? WHERE id = ?')
    const record = this.sql.prepare(
      `INSERT OR REPLACE INTO kindlings (image_id, teacher, teacher_version, settings, faces, kindled_at)
       VALUES (@imageId, @teacher, @version, @key, @faces, @now)`,
    )
    return this.sql.transaction(() =>
      photos.map(({ imageId, boxes, tags = [] }): KindleOutcome => {
        const state = isReviewed.get(imageId)
        if (!state) return 'gone'
        if (state.reviewed) return 'reviewed'
        this.boxes.deleteKindled(imageId, by.teacher)
        for (const b of boxes) {
          this.boxes.add({ ...b, imageId, classId, source: 'kindled', teacher: by.teacher, teacherVersion: by.version }, now)
        }
        for (const t of tags) {
          this.tags.delete(imageId, t.name, 'kindled')
          if (t.value !== null)
            this.tags.put({ imageId, name: t.name, value: t.value, source: 'kindled', teacher: t.teacher, score: t.score }, now)
        }
        markKindled.run(now, imageId)
        record.run({ imageId, ...by, faces: boxes.length, now })
        return 'kindled'
      }),
    )
  }
}
