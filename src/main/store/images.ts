// The `images` table: importing photos, the Library's pages and counts, and the bulk reads other parts of the studio
// make of the project's photos (training, prediction, export, label import).
import path from 'node:path'
import type { Counts, ImageSort, ImageSummary, PredictScope, ReviewState, Split, TagFilter } from '../../shared/api.js'
import { decode, type Statements } from './statements.js'
import { tagFilterTerm } from './tags.js'

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

/** An image with what only the studio needs (a re-import's change check, the decoder's format). */
export interface ImageRow extends ImageSummary {
  sha256: string
  bytes: number
  mtimeMs: number
  format: string
}

/** A photo with its size after EXIF orientation: the frame the store's boxes are in. */
export interface SizedPhoto {
  id: number
  path: string
  width: number
  height: number
}

/** A photo as a training run may learn from it, with its label boxes (never predictions) as [classId, x, y, w, h]. */
export interface PhotoWithLabels extends SizedPhoto {
  sha256: string
  split: Split
  reviewed: boolean
  /** [classId, x, y, w, h, attributes] (attributes as stored: e.g. {"smiling":{"value":true,…}}). */
  boxes: [number, number, number, number, number, Record<string, { value?: unknown }>][]
}

const ORDER: Record<ImageSort, string> = {
  name: 'path ASC, id ASC',
  newest: 'id DESC',
  oldest: 'id ASC',
}

const PREDICT_SCOPE: Record<PredictScope, string> = {
  all: '',
  unreviewed: 'WHERE reviewed_at IS NULL',
  val: "WHERE split = 'val'",
}

/** An ImageSummary but its name (the file name, cut from the path in JS). */
const IMAGE_COLUMNS = `id, path, sha256, width, height, split, state,
  (SELECT count(*) FROM boxes b WHERE b.image_id = images.id) AS boxes`

const IMAGE = `SELECT ${IMAGE_COLUMNS}, bytes, mtime_ms AS mtimeMs, format FROM images WHERE id = ?`

export class ImageStore {
  constructor(private readonly sql: Statements) {}

  /** What the store knows of a path: lets a re-import skip unchanged files without reading them. */
  atPath(p: string): { id: number; bytes: number; mtimeMs: number } | undefined {
    return this.sql
      .prepare<[string], { id: number; bytes: number; mtimeMs: number }>('SELECT id, bytes, mtime_ms AS mtimeMs FROM images WHERE path = ?')
      .get(p)
  }

  withSha(sha256: string): { id: number; path: string } | undefined {
    return this.sql.prepare<[string], { id: number; path: string }>('SELECT id, path FROM images WHERE sha256 = ?').get(sha256)
  }

  /** Insert a batch in one transaction. Returns, per image, whether it was new (false: same path or content exists). */
  add(images: NewImage[], now = Date.now()): boolean[] {
    const insert = this.sql.prepare(
      `INSERT INTO images (path, sha256, bytes, mtime_ms, width, height, format, split, imported_at)
       VALUES (@path, @sha256, @bytes, @mtimeMs, @width, @height, @format, @split, @importedAt)
       ON CONFLICT DO NOTHING`,
    )
    return this.sql.transaction(() => images.map((im) => insert.run({ ...im, importedAt: now }).changes === 1))
  }

  get(id: number): ImageRow | undefined {
    const r = this.sql.prepare<[number], Omit<ImageRow, 'name'>>(IMAGE).get(id)
    return r && { ...r, name: path.basename(r.path) }
  }

  /** The size of the photo at a path, for checking labels against it. */
  sizeAt(p: string): SizedPhoto | undefined {
    return this.sql.prepare<[string], SizedPhoto>('SELECT id, path, width, height FROM images WHERE path = ?').get(p)
  }

  /** Take photos out by path, in one transaction; returns the content hashes of those that were there (thumbnails). */
  removeAtPaths(paths: readonly string[]): string[] {
    const find = this.sql.prepare<[string], { sha256: string }>('SELECT sha256 FROM images WHERE path = ?')
    const remove = this.sql.prepare<[string]>('DELETE FROM images WHERE path = ?')
    return this.sql.transaction(() =>
      paths.flatMap((p) => {
        const row = find.get(p)
        remove.run(p)
        return row ? [row.sha256] : []
      }),
    )
  }

  counts(): Counts {
    const rows = this.sql
      .prepare<[], { key: string; n: number }>("SELECT key, n FROM tallies UNION ALL SELECT 'classes', count(*) FROM classes")
      .all()
    const t = Object.fromEntries(rows.map((r) => [r.key, r.n]))
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
  page(opts: { state?: ReviewState; tag?: TagFilter; sort: ImageSort; offset: number; limit: number }): {
    total: number
    items: ImageSummary[]
  } {
    const terms = opts.state ? ['state = @state'] : []
    // With a tag filter the page walks the same index and tests each photo against the set of tagged photos, which
    // SQLite builds once from the tag's index range (image_tags_by_name).
    if (opts.tag) terms.push(tagFilterTerm(opts.tag, 'page').term)
    const where = terms.length ? `WHERE ${terms.join(' AND ')}` : ''
    const order = ORDER[opts.sort]
    const sql = `SELECT ${IMAGE_COLUMNS} FROM images
      WHERE id IN (SELECT id FROM images ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset)
      ORDER BY ${order}`
    const bind = { state: opts.state, tagName: opts.tag?.name, limit: opts.limit, offset: opts.offset }
    const rows = this.sql.prepare<object, Omit<ImageSummary, 'name'>>(sql).all(bind)
    const counts = this.counts()
    const all = opts.state ? counts.byState[opts.state] : counts.images
    return { total: opts.tag ? this.tagTotal(opts.tag, opts.state, all) : all, items: rows.map((r) => ({ ...r, name: path.basename(r.path) })) }
  }

  /**
   * How many photos (of a state) pass a tag filter. Without a state, an index range count of the tagged photos (and
   * "not tagged" is the rest); with one, a count of the state's photos in the tagged set.
   */
  private tagTotal(tag: TagFilter, state: ReviewState | undefined, all: number): number {
    if (state) {
      const sql = `SELECT count(*) AS n FROM images WHERE state = @state AND ${tagFilterTerm(tag, 'count').term}`
      return this.sql.prepare<object, { n: number }>(sql).get({ state, tagName: tag.name })!.n
    }
    const tagged = this.sql
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM image_tags WHERE name = ? AND value = 1')
      .get(tag.name)!.n
    return tag.value ? tagged : all - tagged
  }

  /** When a person accepted the photo's boxes (null: not reviewed); undefined when there is no such photo. */
  reviewedAt(id: number): number | null | undefined {
    return this.sql.prepare<[number], { reviewedAt: number | null }>('SELECT reviewed_at AS reviewedAt FROM images WHERE id = ?').get(id)
      ?.reviewedAt
  }

  setReviewedAt(id: number, at: number | null): void {
    this.sql.prepare<[number | null, number]>('UPDATE images SET reviewed_at = ? WHERE id = ?').run(at, id)
  }

  /** A photo's "predictions disagree" flag: null when no model has predicted on it. */
  disagree(id: number): boolean | null {
    const row = this.sql.prepare<[number], { disagree: number | null }>('SELECT disagree FROM images WHERE id = ?').get(id)
    return row?.disagree == null ? null : row.disagree === 1
  }

  /** The photos a prediction job runs over, in id order. */
  inScope(scope: PredictScope): SizedPhoto[] {
    return this.sql.prepare<[], SizedPhoto>(`SELECT id, path, width, height FROM images ${PREDICT_SCOPE[scope]} ORDER BY id`).all()
  }

  /** Every photo by path: what an export writes. */
  byPath(): SizedPhoto[] {
    return this.sql.prepare<[], SizedPhoto>('SELECT id, path, width, height FROM images ORDER BY path').all()
  }

  /**
   * Labelled photos per split under a run's label choice (`all`: a label box or reviewed; `reviewed`: reviewed only),
   * counted in SQL. `reviewed` walks the reviewed range of the (reviewed, id, split) index; `all` is one pass over the
   * table's rows (box_count is in no index): tens of milliseconds at 100,000 photos, and no new index to keep up.
   */
  labelledBySplit(labels: 'all' | 'reviewed'): Record<Split, number> {
    const where = labels === 'reviewed' ? 'reviewed = 1' : '(box_count > 0 OR reviewed = 1)'
    const counts: Record<Split, number> = { train: 0, val: 0, test: 0 }
    for (const r of this.sql
      .prepare<[], { split: Split; n: number }>(`SELECT split, count(*) AS n FROM images WHERE ${where} GROUP BY split`)
      .all())
      counts[r.split] = r.n
    return counts
  }

  /** Every photo with its label boxes (kindled, human, imported; not predicted), in id order. */
  withLabels(): PhotoWithLabels[] {
    return this.sql
      .prepare<[], Record<string, unknown>>(
        `SELECT i.id, i.path, i.sha256, i.width, i.height, i.split, i.reviewed_at IS NOT NULL AS reviewed,
                coalesce((SELECT json_group_array(json_array(b.class_id, b.x, b.y, b.w, b.h, json(b.attributes))) FROM boxes b
                          WHERE b.image_id = i.id AND b.source != 'predicted'), '[]') AS boxes
         FROM images i ORDER BY i.id`,
      )
      .all()
      .map((r) => decode<PhotoWithLabels>(r, { json: ['boxes'], flags: ['reviewed'] }))
  }
}
