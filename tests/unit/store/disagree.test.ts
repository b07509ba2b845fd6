// "Predictions disagree": the rule on one photo, and the per-photo flag the store keeps by triggers as boxes change —
// human edits, undo and redo, kindling replacing boxes — with the review queue's filter reading it.
import { describe, expect, it } from 'vitest'
import { kindleProject, type KindleService, TEACHERS } from '../../../src/main/kindle/index.js'
import type { JobContext } from '../../../src/main/jobs/index.js'
import { disagrees, type NewImage, Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const face = (x: number, y: number, classId = 1) => ({ classId, x, y, w: 100, h: 100 })
const scored = (x: number, y: number, score: number, classId = 1) => ({ ...face(x, y, classId), score })

describe('the disagreement rule', () => {
  it('agrees when every prediction matches a label of its class at IoU ≥ 0.5 and every label is matched', () => {
    expect(disagrees([scored(0, 0, 0.9), scored(300, 0, 0.8)], [face(10, 10), face(305, 0)])).toBe(false)
    expect(disagrees([], [])).toBe(false)
  })

  it('disagrees on a prediction no label explains', () => {
    expect(disagrees([scored(0, 0, 0.9), scored(300, 300, 0.5)], [face(0, 0)])).toBe(true)
    expect(disagrees([scored(0, 0, 0.9)], [])).toBe(true)
  })

  it('disagrees on a label no prediction found (also two predictions on one label: one is extra)', () => {
    expect(disagrees([scored(0, 0, 0.9)], [face(0, 0), face(300, 0)])).toBe(true)
    expect(disagrees([], [face(0, 0)])).toBe(true)
    expect(disagrees([scored(0, 0, 0.9), scored(5, 5, 0.8)], [face(0, 0)])).toBe(true)
  })

  it('disagrees on a class mismatch, and on an overlap below IoU 0.5', () => {
    expect(disagrees([scored(0, 0, 0.9, 2)], [face(0, 0, 1)])).toBe(true)
    // 100×100 boxes 40 px apart: IoU 60·100 / (2·10000 − 6000) ≈ 0.43.
    expect(disagrees([scored(40, 0, 0.9)], [face(0, 0)])).toBe(true)
    // 30 px apart: IoU 7000 / 13000 ≈ 0.54.
    expect(disagrees([scored(30, 0, 0.9)], [face(0, 0)])).toBe(false)
  })

  it('ignores predictions below the minimum score', () => {
    expect(disagrees([scored(0, 0, 0.9), scored(300, 300, 0.2)], [face(0, 0)], 0.3)).toBe(false)
    expect(disagrees([scored(0, 0, 0.2)], [face(0, 0)], 0.3)).toBe(true) // the label is then missed
  })

  it('matches greedily by score: the most confident prediction takes the label first', () => {
    // Both overlap the one label; the confident one matches it and the other is extra either way round.
    expect(disagrees([scored(20, 0, 0.5), scored(0, 0, 0.9)], [face(0, 0), face(25, 300)])).toBe(true)
    expect(disagrees([scored(20, 0, 0.5), scored(0, 0, 0.9)], [face(0, 0), face(20, 0)])).toBe(false)
  })
})

const image = (n: number): NewImage => ({
  path: `/photos/${String(n).padStart(4, '0')}.jpg`,
  sha256: `sha-${n}`,
  bytes: 1000 + n,
  mtimeMs: n,
  width: 640,
  height: 480,
  format: 'jpeg',
  split: 'train',
})

function project(n: number) {
  const store = Store.open(tempDir(), { create: true })
  store.addImages(Array.from({ length: n }, (_, i) => image(i + 1)))
  return store
}

const queue = (store: Store, sort: 'name' | 'score' | 'newest' = 'name') =>
  store.reviewQueue({ filter: 'disagree', sort, lowScore: 0.5 }, { offset: 0, limit: 1000 })

describe('the per-photo "disagree" flag', () => {
  it('is null until predictions are written, then follows them', () => {
    const store = project(3)
    const human = store.addBox({ imageId: 1, ...face(0, 0), source: 'human' })
    expect(store.disagree(1)).toBeNull()
    expect(queue(store).ids).toEqual([])
    const flags = store.replacePredictions(7, [
      { imageId: 1, boxes: [scored(0, 0, 0.9)] },
      { imageId: 2, boxes: [scored(0, 0, 0.9)] }, // nothing labelled there
      { imageId: 3, boxes: [] }, // predicted, nothing found, nothing labelled
    ])
    expect([...flags]).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ])
    expect(queue(store)).toMatchObject({ total: 1, ids: [2] })
    expect(store.boxes(2)).toMatchObject([{ source: 'predicted', runId: 7, score: 0.9 }])
    // A second prediction replaces the first; none goes into the edit log (nothing to undo).
    store.replacePredictions(8, [{ imageId: 1, boxes: [scored(400, 300, 0.7)] }])
    expect(store.boxes(1).filter((b) => b.source === 'predicted')).toMatchObject([{ runId: 8, x: 400 }])
    expect(store.disagree(1)).toBe(true)
    expect(store.db.prepare("SELECT count(*) AS n FROM edits WHERE action LIKE 'box.%' AND image_id = 1").get()).toEqual({ n: 1 })
    expect(human.source).toBe('human')
    for (const sort of ['name', 'score', 'newest'] as const) expect(queue(store, sort).ids.sort()).toEqual([1, 2])
  })

  it('updates on human edits (add, move, reclass, delete) and on undo and redo', () => {
    const store = project(2)
    store.addClass('cat', '#00ff00')
    store.replacePredictions(1, [{ imageId: 1, boxes: [scored(100, 100, 0.9)] }])
    expect(store.disagree(1)).toBe(true) // missed nothing, but predicted a face nobody labelled
    const box = store.addBox({ imageId: 1, ...face(300, 300), source: 'human' })
    expect(store.disagree(1)).toBe(true)
    store.updateBox(box.id, { x: 105, y: 95 })
    expect(store.disagree(1)).toBe(false)
    expect(queue(store).ids).toEqual([])
    store.updateBox(box.id, { classId: 2 })
    expect(store.disagree(1)).toBe(true)
    store.undo() // back to class 1
    expect(store.disagree(1)).toBe(false)
    store.redo()
    expect(store.disagree(1)).toBe(true)
    store.undo()
    store.deleteBox(box.id)
    expect(store.disagree(1)).toBe(true)
    store.undo()
    expect(store.disagree(1)).toBe(false)
    expect(store.disagree(2)).toBeNull() // never predicted: untouched
  })

  it("updates when kindling replaces a photo's kindled boxes", async () => {
    const store = project(2)
    store.replacePredictions(1, [
      { imageId: 1, boxes: [scored(100, 100, 0.9)] },
      { imageId: 2, boxes: [] },
    ])
    expect(queue(store).ids).toEqual([1])
    const faces = new Map<string, { x: number; y: number; w: number; h: number; score: number }[]>([
      [image(1).path, [{ x: 100, y: 100, w: 100, h: 100, score: 0.8 }]],
      [image(2).path, [{ x: 0, y: 0, w: 50, h: 50, score: 0.8 }]],
    ])
    const service: KindleService = {
      teacher: { name: 'blazeface', version: TEACHERS.blazeface.version },
      smile: null,
      threads: 1,
      capacity: 2,
      kindle: async (file) => faces.get(file) ?? [],
      close: async () => {},
    }
    const ctx: JobContext = { signal: new AbortController().signal, report: () => {}, skip: () => {} }
    await kindleProject(store, ctx, { teacher: 'blazeface', tiles: 'off', zoomOut: 0, service })
    expect(store.disagree(1)).toBe(false)
    expect(store.disagree(2)).toBe(true) // a kindled face the model did not predict
    expect(queue(store).ids).toEqual([2])
    // Kindled again, finding nothing: the kindled box goes and the photo agrees again.
    faces.set(image(2).path, [])
    await kindleProject(store, ctx, { teacher: 'blazeface', tiles: 'off', zoomOut: 0, service, redo: true })
    expect(store.disagree(2)).toBe(false)
  })

  it('walks a partial index per sort, never the whole table', () => {
    const store = project(20)
    store.replacePredictions(1, [{ imageId: 5, boxes: [scored(0, 0, 0.9)] }])
    const plans = (sql: string) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ k0: 0, k1: '' }) as { detail: string }[]).map((r) => r.detail).join('; ')
    expect(plans('SELECT id FROM images WHERE disagree = 1 AND (path) > (@k0) ORDER BY path ASC LIMIT 1')).toMatch(/images_queue_disagree_name/)
    expect(plans('SELECT id FROM images WHERE disagree = 1 AND (id) < (@k0) ORDER BY id DESC LIMIT 1')).toMatch(/images_queue_disagree_id/)
    expect(plans('SELECT id FROM images WHERE disagree = 1 AND (score_key, path) > (@k0, @k1) ORDER BY score_key, path LIMIT 1')).toMatch(
      /images_queue_disagree_score/,
    )
    expect(plans('SELECT count(*) FROM images WHERE disagree = 1')).toMatch(/images_queue_disagree/)
  })
})

describe('predicted boxes are not labels', () => {
  it('leave the box tally, a photo\'s box count and the "no boxes" filter alone, until a person edits one', () => {
    const store = project(2)
    store.addBox({ imageId: 1, ...face(0, 0), source: 'human' })
    store.replacePredictions(1, [
      { imageId: 1, boxes: [scored(0, 0, 0.9)] },
      { imageId: 2, boxes: [scored(50, 50, 0.8), scored(300, 300, 0.7)] },
    ])
    expect(store.counts().boxes).toBe(1)
    expect(store.reviewQueue({ filter: 'no-boxes', sort: 'name', lowScore: 0.5 }, { offset: 0, limit: 10 }).ids).toEqual([2])
    // Accepting a prediction by editing it makes it a person's box: now a label of photo 2.
    const predicted = store.boxes(2).find((b) => b.source === 'predicted')!
    store.updateBox(predicted.id, { x: 60 })
    expect(store.counts().boxes).toBe(2)
    expect(store.reviewQueue({ filter: 'no-boxes', sort: 'name', lowScore: 0.5 }, { offset: 0, limit: 10 }).ids).toEqual([])
    store.undo() // a predicted box again
    expect(store.counts().boxes).toBe(1)
    // Predictions replaced or gone change no label count.
    store.replacePredictions(2, [{ imageId: 2, boxes: [] }])
    expect(store.counts().boxes).toBe(1)
    expect(store.db.prepare('SELECT box_count FROM images ORDER BY id').all()).toEqual([{ box_count: 1 }, { box_count: 0 }])
  })

  it('do not keep a class from being deleted, and go with it', () => {
    const store = project(1)
    const cat = store.addClass('cat', '#00ff00')
    store.replacePredictions(1, [{ imageId: 1, boxes: [scored(0, 0, 0.9, cat.id)] }])
    expect(store.boxesOfClass(cat.id)).toBe(0)
    store.deleteClass(cat.id)
    expect(store.boxes(1)).toEqual([])
    expect(store.classes().map((c) => c.name)).toEqual(['face'])
  })
})

describe('the labelled-photos tally (what a run learns from)', () => {
  it('counts photos with a label box or reviewed, through labels, predictions, review, undo and deletion', () => {
    const store = project(4)
    expect(store.counts().labelled).toBe(0)
    // An imported (human) label leaves the photo "new", and still labels it.
    const box = store.addBox({ imageId: 1, ...face(0, 0), source: 'human' })
    store.addBox({ imageId: 1, ...face(300, 0), source: 'human' })
    store.replacePredictions(1, [{ imageId: 2, boxes: [scored(0, 0, 0.9)] }])
    expect(store.counts()).toMatchObject({ labelled: 1, byState: { new: 4 } })
    store.setReviewed(3, true) // reviewed with no box: a true negative
    expect(store.counts().labelled).toBe(2)
    store.deleteBox(box.id) // one box left on photo 1
    expect(store.counts().labelled).toBe(2)
    store.undo()
    store.undo()
    store.undo() // photo 3 unreviewed
    expect(store.counts().labelled).toBe(1)
    store.db.prepare('DELETE FROM images WHERE id = 1').run()
    expect(store.counts().labelled).toBe(0)
    const count = store.db.prepare('SELECT count(*) AS n FROM images WHERE box_count > 0 OR reviewed_at IS NOT NULL').get()
    expect(count).toEqual({ n: 0 })
  })
})
