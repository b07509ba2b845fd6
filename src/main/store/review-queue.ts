// The Review page's queue: the project's photos filtered and sorted, walked one keyset step at a time over the sort's
// index, so a step costs the same at photo 10 as at photo 100,000.
import type { ReviewFilter, ReviewSort, Split, TagFilter } from '../../shared/api.js'
import type { ImageStore } from './images.js'
import type { Statements } from './statements.js'
import { tagFilterTerm } from './tags.js'

/** The review queue's filters and sorts, as SQL over `images` (each filter a WHERE term; bound values by name). */
export interface ReviewQueueOptions {
  filter: ReviewFilter
  classId?: number
  split?: Split
  tag?: TagFilter
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
  if (q.tag !== undefined) terms.push(tagFilterTerm(q.tag, use).term)
  return terms.filter((t): t is string => t !== null)
}

const whereOf = (terms: string[]) => (terms.length ? `WHERE ${terms.join(' AND ')}` : '')

/** `(cols) > (@k0, …)` in queue order (`after`) or against it, and the ORDER BY that walks that way. */
function keyset(sort: ReviewSort, direction: 'after' | 'before'): { term: string; order: string } {
  const { cols, desc } = QUEUE_SORT[sort]
  const forward = (direction === 'after') !== desc // walking the index upwards
  const keys = cols.map((_, i) => `@k${i}`)
  return {
    term: `(${cols.join(', ')}) ${forward ? '>' : '<'} (${keys.join(', ')})`,
    order: cols.map((c) => `${c} ${forward ? 'ASC' : 'DESC'}`).join(', '),
  }
}

const queueOrder = (sort: ReviewSort) => keyset(sort, 'after').order

export class ReviewQueue {
  constructor(
    private readonly sql: Statements,
    private readonly images: ImageStore,
  ) {}

  /**
   * Up to `limit` photos of the review queue after (or before) `from` in queue order; without `from`, from the start
   * (or the end). A keyset seek on the sort's index: the cost does not grow with the queue or the position, and `from`
   * need not be in the queue itself (a photo just accepted out of "unreviewed" still has a place to go on from).
   */
  step(q: ReviewQueueOptions, from: number | undefined, direction: 'next' | 'previous', limit: number): number[] {
    const bind: Record<string, unknown> = { ...this.bind(q), limit }
    const terms = reviewWhere(q)
    const { term, order } = keyset(q.sort, direction === 'next' ? 'after' : 'before')
    if (from !== undefined) {
      const key = this.key(q.sort, from)
      if (!key) return []
      Object.assign(bind, key)
      terms.push(term)
    }
    const sql = `SELECT id FROM images ${whereOf(terms)} ORDER BY ${order} LIMIT @limit`
    return this.sql
      .prepare<object, { id: number }>(sql)
      .all(bind)
      .map((r) => r.id)
  }

  /**
   * Where a photo stands in the queue: the queue's size, how many photos come before it, and whether it is in the
   * queue at all (an accepted photo leaves "unreviewed"). Counting is linear in the position (an index range count),
   * so the page asks for it after it has shown the photo, never before.
   */
  position(q: ReviewQueueOptions, id: number): { total: number; before: number; member: boolean } {
    const bind = this.bind(q)
    const terms = reviewWhere(q, 'count')
    return this.sql.transaction(() => {
      const key = this.key(q.sort, id)
      if (!key) return { total: this.total(q), before: 0, member: false }
      const { term } = keyset(q.sort, 'before')
      const count = (t: string[]) =>
        this.sql.prepare<object, { n: number }>(`SELECT count(*) AS n FROM images ${whereOf(t)}`).get({ ...bind, ...key })!.n
      const member =
        this.sql.prepare<object>(`SELECT 1 FROM images WHERE id = @id ${terms.map((t) => `AND ${t}`).join(' ')}`).get({ ...bind, id }) !==
        undefined
      return { total: this.total(q), before: count([...terms, term]), member }
    })
  }

  /**
   * A window of the review queue: `limit` ids from `offset`, or — with `around` — centred on that photo, with its
   * position (null when the photo is not in the queue). Built from keyset steps and counts, never a sort of the queue.
   */
  window(
    q: ReviewQueueOptions,
    at: { around?: number; offset: number; limit: number },
  ): { total: number; offset: number; ids: number[]; position: number | null } {
    return this.sql.transaction(() => {
      // One read transaction: total, rank and page all describe the same moment.
      if (at.around === undefined) {
        const sql = `SELECT id FROM images ${whereOf(reviewWhere(q))} ORDER BY ${queueOrder(q.sort)} LIMIT @limit OFFSET @offset`
        const rows = this.sql.prepare<object, { id: number }>(sql).all({ ...this.bind(q), limit: at.limit, offset: at.offset })
        return { total: this.total(q), offset: at.offset, ids: rows.map((r) => r.id), position: null }
      }
      const { total, before, member } = this.position(q, at.around)
      const previous = this.step(q, at.around, 'previous', Math.max(0, Math.floor((at.limit - 1) / 2))).reverse()
      const next = this.step(q, at.around, 'next', Math.max(0, at.limit - previous.length - (member ? 1 : 0)))
      return {
        total,
        offset: before - previous.length,
        ids: [...previous, ...(member ? [at.around] : []), ...next],
        position: member ? before : null,
      }
    })
  }

  private bind(q: ReviewQueueOptions) {
    return { lowScore: q.lowScore, classId: q.classId, split: q.split, tagName: q.tag?.name }
  }

  /** The sort key of one photo as `@k0…` bindings, or undefined when there is no such photo. */
  private key(sort: ReviewSort, id: number): QueueKey | undefined {
    const { cols } = QUEUE_SORT[sort]
    const row = this.sql.prepare<[number], QueueKey>(`SELECT ${cols.join(', ')} FROM images WHERE id = ?`).get(id)
    return row && Object.fromEntries(cols.map((c, i) => [`k${i}`, row[c]]))
  }

  /** The queue's size; the plain state filters come from the running tallies instead of a count. */
  private total(q: ReviewQueueOptions): number {
    if (q.classId === undefined && q.split === undefined && q.tag !== undefined && q.filter === 'all') {
      // Every photo by a tag: an index range count of the tagged (the "not" filter is the rest).
      const tagged = this.sql
        .prepare<[string], { n: number }>('SELECT count(*) AS n FROM image_tags WHERE name = ? AND value = 1')
        .get(q.tag.name)!.n
      return q.tag.value ? tagged : this.images.counts().images - tagged
    }
    if (q.classId === undefined && q.split === undefined && q.tag === undefined) {
      const c = this.images.counts()
      if (q.filter === 'all') return c.images
      if (q.filter === 'reviewed') return c.reviewed
      if (q.filter === 'unreviewed') return c.images - c.reviewed
    }
    const sql = `SELECT count(*) AS n FROM images ${whereOf(reviewWhere(q, 'count'))}`
    return this.sql.prepare<object, { n: number }>(sql).get(this.bind(q))!.n
  }
}
