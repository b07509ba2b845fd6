// The `tags` table: yes/no labels of a whole photo, in layers by source (migration 14 explains the layers and which
// wins), and the SQL of the tag filter the Library and the review queue share.
import type { ImageTag, TagFilter, TagLayer, TagSource } from '../../shared/api.js'
import type { Statements } from './statements.js'

/** A tag row exactly as the table holds it (without the generated rank): the form the edit log keeps. */
export interface TagRow {
  id: number | null
  image_id: number
  name: string
  value: number
  source: TagSource
  teacher: string | null
  teacher_version: string | null
  run_id: number | null
  score: number | null
  created_at: number
  updated_at: number
}

/** One source's say on a photo's tag, as a writer hands it over. */
export interface NewTag {
  imageId: number
  name: string
  value: boolean
  source: TagSource
  teacher?: string | null
  teacherVersion?: string | null
  runId?: number | null
  score?: number | null
}

const ROW_COLUMNS = 'id, image_id, name, value, source, teacher, teacher_version, run_id, score, created_at, updated_at'

/** `t` is the top layer of its photo's tag among the layers `extra` admits: no such layer ranks above it. */
const topLayer = (extra = '') =>
  `NOT EXISTS (SELECT 1 FROM tags u WHERE u.image_id = t.image_id AND u.name = t.name AND u.rank > t.rank${extra})`

/**
 * The tag filter as a WHERE term on `images`, and its bindings, over `image_tags` (each photo's tag as its top layer
 * says, kept by triggers: migration 14). `step`: a key lookup of the photo's tag, for walks along a sort's index that
 * stop at the first match; `count` and `page`: a membership test in the set of photos with the tag set, which SQLite
 * builds once from a range of image_tags_by_name instead of probing every photo.
 */
export function tagFilterTerm(f: TagFilter, use: 'step' | 'count' | 'page'): { term: string; bind: { tagName: string } } {
  const set = 'IN (SELECT image_id FROM image_tags WHERE name = @tagName AND value = 1)'
  const term =
    use === 'step'
      ? 'EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id AND t.name = @tagName AND t.value = 1)'
      : // A page walks the sort's index and tests each photo against the set: `+` keeps SQLite from starting at the set
        // instead and sorting all of it by the page's order.
        `${use === 'page' ? '+' : ''}images.id ${set}`
  return { term: f.value ? term : `NOT ${term}`, bind: { tagName: f.name } }
}

export function newTagRow(t: NewTag, now: number): TagRow {
  return {
    id: null,
    image_id: t.imageId,
    name: t.name,
    value: t.value ? 1 : 0,
    source: t.source,
    teacher: t.teacher ?? null,
    teacher_version: t.teacherVersion ?? null,
    run_id: t.runId ?? null,
    score: t.score ?? null,
    created_at: now,
    updated_at: now,
  }
}

const toLayer = (r: TagRow): TagLayer => ({
  value: r.value === 1,
  source: r.source,
  teacher: r.teacher,
  teacherVersion: r.teacher_version,
  runId: r.run_id,
  score: r.score,
})

export class TagStore {
  constructor(private readonly sql: Statements) {}

  /** A photo's tags by name, each with its layers top first (an index range of tags_layers). */
  ofImage(imageId: number): ImageTag[] {
    const rows = this.sql.prepare<[number], TagRow>(`SELECT ${ROW_COLUMNS} FROM tags WHERE image_id = ? ORDER BY name, rank DESC`).all(imageId)
    const tags: ImageTag[] = []
    for (const r of rows) {
      const last = tags[tags.length - 1]
      if (last?.name === r.name) last.layers.push(toLayer(r))
      else tags.push({ name: r.name, ...toLayer(r), layers: [toLayer(r)] })
    }
    return tags
  }

  /** One layer's row, as the edit log keeps it. */
  row(imageId: number, name: string, source: TagSource): TagRow | undefined {
    return this.sql
      .prepare<[number, string, string], TagRow>(`SELECT ${ROW_COLUMNS} FROM tags WHERE image_id = ? AND name = ? AND source = ?`)
      .get(imageId, name, source)
  }

  /** Write a row; with its id when an undo puts a layer back. The table's only plain INSERT. */
  insert(row: TagRow): void {
    this.sql
      .prepare<TagRow>(
        `INSERT INTO tags (id, image_id, name, value, source, teacher, teacher_version, run_id, score, created_at, updated_at)
         VALUES (@id, @image_id, @name, @value, @source, @teacher, @teacher_version, @run_id, @score, @created_at, @updated_at)`,
      )
      .run(row)
  }

  delete(imageId: number, name: string, source: TagSource): void {
    this.sql.prepare<[number, string, string]>('DELETE FROM tags WHERE image_id = ? AND name = ? AND source = ?').run(imageId, name, source)
  }

  /**
   * Set a source's layer of a photo's tag, replacing that source's earlier say (machine labels — imported, kindled,
   * predicted — are bulk data: not in the edit log, see EditLog for a person's).
   */
  put(t: NewTag, now = Date.now()): void {
    this.sql
      .prepare<TagRow>(
        `INSERT INTO tags (image_id, name, value, source, teacher, teacher_version, run_id, score, created_at, updated_at)
         VALUES (@image_id, @name, @value, @source, @teacher, @teacher_version, @run_id, @score, @created_at, @updated_at)
         ON CONFLICT (image_id, name, source) DO UPDATE SET value = excluded.value, teacher = excluded.teacher,
           teacher_version = excluded.teacher_version, run_id = excluded.run_id, score = excluded.score,
           updated_at = excluded.updated_at`,
      )
      .run(newTagRow(t, now))
  }

  /** A teacher's earlier tags on a photo, which kindling it again replaces. */
  deleteKindled(imageId: number, teacher: string): void {
    this.sql.prepare<[number, string]>("DELETE FROM tags WHERE image_id = ? AND source = 'kindled' AND teacher = ?").run(imageId, teacher)
  }

  /**
   * The photos a classifier of tag `name` learns from: each photo's top layer among `sources` (never a prediction), with
   * what a run needs of the photo, in id order. A photo with no such layer is unlabelled for the tag and not listed.
   */
  labelledPhotos(
    name: string,
    sources: readonly Exclude<TagSource, 'predicted'>[],
  ): { id: number; path: string; sha256: string; width: number; height: number; split: 'train' | 'val' | 'test'; value: boolean }[] {
    const among = `source IN (${sources.map((s) => `'${s}'`).join(', ')})`
    return this.sql
      .prepare<
        [string],
        { id: number; path: string; sha256: string; width: number; height: number; split: 'train' | 'val' | 'test'; value: number }
      >(
        `SELECT i.id, i.path, i.sha256, i.width, i.height, i.split, t.value FROM tags t JOIN images i ON i.id = t.image_id
         WHERE t.name = ? AND t.${among} AND ${topLayer(` AND u.${among}`)}
         ORDER BY i.id`,
      )
      .all(name)
      .map((r) => ({ ...r, value: r.value === 1 }))
  }

  /** The tag names in the project (along image_tags_by_name). */
  names(): string[] {
    return this.sql
      .prepare<[], { name: string }>('SELECT DISTINCT name FROM image_tags ORDER BY name')
      .all()
      .map((r) => r.name)
  }

  /** How many photos have the tag set (top layer true): an index range count. */
  countTagged(name: string): number {
    return this.sql.prepare<[string], { n: number }>('SELECT count(*) AS n FROM image_tags WHERE name = ? AND value = 1').get(name)!.n
  }

  /**
   * Every photo's tags as a label file holds them: per photo and tag, the top layer that is a label (a person's,
   * imported or kindled; never a model's prediction), by photo path.
   */
  labels(): { imageId: number; path: string; name: string; value: boolean }[] {
    return this.sql
      .prepare<[], { imageId: number; path: string; name: string; value: number }>(
        `SELECT t.image_id AS imageId, i.path, t.name, t.value FROM tags t JOIN images i ON i.id = t.image_id
         WHERE t.source != 'predicted' AND ${topLayer(" AND u.source != 'predicted'")}
         ORDER BY i.path, t.name`,
      )
      .all()
      .map((r) => ({ ...r, value: r.value === 1 }))
  }
}
