// The Train page's "Labelled photos: 4 train · 2 val · 1 test" comes from one SQL count per label choice: what a run
// would really train on, evaluate on and leave alone.
import { describe, expect, it } from 'vitest'
import { type NewImage, Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const SPLITS = ['train', 'train', 'train', 'train', 'train', 'train', 'train', 'val', 'val', 'test'] as const

const image = (n: number): NewImage => ({
  path: `/photos/${n}.jpg`,
  sha256: `sha-${n}`,
  bytes: 1000,
  mtimeMs: n,
  width: 640,
  height: 480,
  format: 'jpeg',
  split: SPLITS[n % 10],
})

describe('labelled photos by split', () => {
  it('counts photos with a label box or reviewed, never predictions alone, per split and label choice', () => {
    const store = Store.open(tempDir(), { create: true })
    store.addImages(Array.from({ length: 10 }, (_, n) => image(n)))
    const id = (n: number) => store.images.atPath(`/photos/${n}.jpg`)!.id
    const face = store.classes()[0].id
    const box = { classId: face, x: 1, y: 2, w: 30, h: 40 }
    store.addBox({ ...box, imageId: id(0), source: 'kindled', teacher: 't', score: 0.9 }) // train
    store.addBox({ ...box, imageId: id(1), source: 'human' }) // train
    store.addBox({ ...box, imageId: id(7), source: 'kindled', teacher: 't', score: 0.9 }) // val
    store.addBox({ ...box, imageId: id(9), source: 'human' }) // test
    store.replacePredictions(1, [{ imageId: id(2), boxes: [{ ...box, score: 0.9 }] }]) // a model's guess: not a label
    store.images.setReviewedAt(id(3), 1) // train, reviewed with no face: a true negative
    store.images.setReviewedAt(id(9), 1) // test
    expect(store.images.labelledBySplit('all')).toEqual({ train: 3, val: 1, test: 1 })
    expect(store.images.labelledBySplit('reviewed')).toEqual({ train: 1, val: 0, test: 1 })
    store.close()
  })

  it('counts 100,000 photos right and fast', () => {
    const store = Store.open(tempDir(), { create: true })
    store.addImages(Array.from({ length: 100_000 }, (_, n) => image(n)))
    store.db.prepare('UPDATE images SET box_count = 1 WHERE id % 3 = 0').run()
    store.db.prepare('UPDATE images SET reviewed_at = 1 WHERE id % 5 = 0').run()
    const expected = (where: (id: number) => boolean) => {
      const counts = { train: 0, val: 0, test: 0 }
      for (let id = 1; id <= 100_000; id++) if (where(id)) counts[SPLITS[(id - 1) % 10]]++
      return counts
    }
    expect(store.images.labelledBySplit('all')).toEqual(expected((id) => id % 3 === 0 || id % 5 === 0))
    expect(store.images.labelledBySplit('reviewed')).toEqual(expected((id) => id % 5 === 0))
    // The reviewed count walks only the reviewed range of the (reviewed, id, split) index.
    const plan = store.db
      .prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT split, count(*) FROM images WHERE reviewed = 1 GROUP BY split')
      .all()
    expect(plan.map((r) => r.detail).join(' ')).toMatch(/USING INDEX images_queue_reviewed_\w+ \(reviewed=\?\)/)
    // Best of 5, so a busy machine's hiccup does not fail it; the Train page asks on every project change.
    const best = (labels: 'all' | 'reviewed') =>
      Math.min(
        ...Array.from({ length: 5 }, () => {
          const t = performance.now()
          store.images.labelledBySplit(labels)
          return performance.now() - t
        }),
      )
    expect(best('all')).toBeLessThan(150)
    expect(best('reviewed')).toBeLessThan(150)
    store.close()
  }, 60_000)
})
