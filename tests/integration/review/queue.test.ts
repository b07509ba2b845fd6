// The review queue as keyset steps over the sort indexes (migration 5): the order next/previous follow, the teacher
// score kept by triggers as boxes come and go, and the classes a person adds, renames and deletes.
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { reviewHandlers } from '../../../src/main/review/index.js'
import { migrate, type NewImage, openDatabase, Store } from '../../../src/main/store/index.js'
import type { Studio, StudioContext } from '../../../src/main/studio.js'
import { tempDir } from '../../helpers/fixtures.js'

const image = (n: number): NewImage => ({
  path: `/photos/${String(n).padStart(3, '0')}.jpg`,
  sha256: `sha-${n}`,
  bytes: 1,
  mtimeMs: 1,
  width: 640,
  height: 480,
  format: 'jpeg',
  split: n % 3 === 0 ? 'val' : 'train',
})

function project(n: number) {
  const store = Store.open(tempDir(), { create: true })
  store.addImages(Array.from({ length: n }, (_, i) => image(i + 1)))
  const studio = { handlers: reviewHandlers({ requireStore: () => store, projectChanged: () => {} } as StudioContext) } as unknown as Studio
  let id = 0
  const call = async (method: string, params: unknown) => {
    const response = await dispatch(studio, { id: ++id, method, params })
    if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
    return response.result as never
  }
  const fails = async (method: string, params: unknown) => {
    const response = await dispatch(studio, { id: ++id, method, params })
    if (response.ok) throw new Error(`${method} succeeded`)
    return response.error
  }
  const kindled = (imageId: number, score: number) =>
    store.addBox({ imageId, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'kindled', teacher: 't', score })
  return { store, call, fails, kindled }
}

const minScore = (store: Store, id: number) =>
  (store.db.prepare('SELECT min_kindled_score AS s FROM images WHERE id = ?').get(id) as { s: number | null }).s

describe('review queue steps', () => {
  it('walks every sort and filter one step at a time in the same order as the whole queue', async () => {
    const { store, call, kindled } = project(30)
    for (let i = 1; i <= 30; i++) if (i % 4 !== 0) kindled(i, ((i * 7) % 10) / 10 + 0.05)
    for (let i = 1; i <= 30; i += 5) store.setReviewed(i, true)
    store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#2ec4b6', 1)").run()
    store.addBox({ imageId: 8, classId: 2, x: 1, y: 1, w: 9, h: 9, source: 'human' })
    store.addBox({ imageId: 13, classId: 2, x: 1, y: 1, w: 9, h: 9, source: 'human' })
    const queries = [
      { filter: 'all', sort: 'name' },
      { filter: 'unreviewed', sort: 'score' },
      { filter: 'reviewed', sort: 'score' },
      { filter: 'all', sort: 'newest' },
      { filter: 'low-score', sort: 'name' },
      { filter: 'no-boxes', sort: 'score' },
      { filter: 'all', sort: 'score', classId: 2 },
      { filter: 'unreviewed', sort: 'newest', split: 'val' },
    ]
    for (const q of queries) {
      const whole: number[] = ((await call('review.queue', { ...q, limit: 1000 })) as { ids: number[] }).ids
      expect(whole.length, JSON.stringify(q)).toBeGreaterThan(0)
      const walked: number[] = []
      let from: number | undefined
      for (;;) {
        const { ids }: { ids: number[] } = await call('review.step', { ...q, ...(from ? { from } : {}) })
        if (ids.length === 0) break
        walked.push((from = ids[0]))
      }
      expect(walked, JSON.stringify(q)).toEqual(whole)
      // And backwards from the last photo, one step at a time.
      const back: number[] = [whole[whole.length - 1]]
      for (;;) {
        const { ids }: { ids: number[] } = await call('review.step', { ...q, from: back[0], direction: 'previous' })
        if (ids.length === 0) break
        back.unshift(ids[0])
      }
      expect(back, JSON.stringify(q)).toEqual(whole)
    }
    // The teacher-score sort by hand: least confident kindled box first, photos without one last (by name).
    const byScore: number[] = ((await call('review.queue', { filter: 'all', sort: 'score', limit: 1000 })) as { ids: number[] }).ids
    const keys = byScore.map((id) => minScore(store, id) ?? 2)
    expect([...keys].sort((a, b) => a - b)).toEqual(keys)
    expect(byScore.slice(-7)).toEqual([4, 8, 12, 16, 20, 24, 28])
  })

  it('goes on from a photo that has left the queue: the photo after its old place', async () => {
    const { store, call } = project(5)
    store.setReviewed(3, true)
    expect(await call('review.step', { filter: 'unreviewed', from: 3 })).toEqual({ ids: [4] })
    expect(await call('review.step', { filter: 'unreviewed', from: 3, direction: 'previous', limit: 5 })).toEqual({ ids: [2, 1] })
    expect(await call('review.step', { filter: 'unreviewed', limit: 2 })).toEqual({ ids: [1, 2] })
    expect(await call('review.step', { filter: 'unreviewed', direction: 'previous', limit: 2 })).toEqual({ ids: [5, 4] })
    expect(await call('review.queue', { filter: 'unreviewed', around: 3, limit: 3 })).toEqual({
      total: 4,
      offset: 1,
      ids: [2, 4, 5],
      position: null,
    })
  })

  it('refuses a step from a photo that does not exist, naming the field', async () => {
    const { fails } = project(2)
    expect(await fails('review.step', { from: 99 })).toMatchObject({ code: 'not_found', field: 'params.from' })
    expect(await fails('review.step', { limit: 0 })).toMatchObject({ field: 'params.limit' })
  })

  it('keeps each photo’s least kindled score right as kindled boxes are added, corrected, deleted and undone', async () => {
    const { store, kindled } = project(3)
    expect(minScore(store, 1)).toBeNull()
    const a = kindled(1, 0.8)
    const b = kindled(1, 0.3)
    expect(minScore(store, 1)).toBeCloseTo(0.3)
    // A person confirms the unsure box: it is no longer a teacher's guess, and the photo's score is the other box's.
    store.updateBox(b.id, {})
    expect(minScore(store, 1)).toBeCloseTo(0.8)
    store.undo()
    expect(minScore(store, 1)).toBeCloseTo(0.3)
    store.db.prepare('DELETE FROM boxes WHERE id = ?').run(b.id)
    store.db.prepare('DELETE FROM boxes WHERE id = ?').run(a.id)
    expect(minScore(store, 1)).toBeNull()
    // Human boxes never count.
    store.addBox({ imageId: 2, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'human', score: 0.1 })
    expect(minScore(store, 2)).toBeNull()
  })

  it('keeps each photo’s box count right through adds, deletes, undo and redo, for the "no boxes" filter', () => {
    const { store } = project(2)
    const count = (id: number) => (store.db.prepare('SELECT box_count AS n FROM images WHERE id = ?').get(id) as { n: number }).n
    const noBoxes = () => store.queueStep({ filter: 'no-boxes', sort: 'name', lowScore: 0.5 }, undefined, 'next', 10)
    expect(noBoxes()).toEqual([1, 2])
    const a = store.addBox({ imageId: 1, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'human' })
    store.addBox({ imageId: 1, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'kindled', score: 0.5 })
    expect([count(1), count(2)]).toEqual([2, 0])
    expect(noBoxes()).toEqual([2])
    store.deleteBox(a.id)
    expect(count(1)).toBe(1)
    store.undo()
    expect(count(1)).toBe(2)
    store.redo()
    expect(count(1)).toBe(1)
    store.db.prepare('UPDATE boxes SET image_id = 2').run()
    expect([count(1), count(2)]).toEqual([0, 1])
    expect(noBoxes()).toEqual([1])
  })

  it('fills the score column when an older project is upgraded', () => {
    const dir = tempDir()
    const store = Store.open(dir, { create: true })
    store.close()
    // Rebuild the project at version 4 (before the column existed), with a kindled box, then upgrade it.
    const old = openDatabase(`${dir}/studio4.db`)
    migrate(old, 4)
    old
      .prepare(
        "INSERT INTO images (path, sha256, bytes, mtime_ms, width, height, format, imported_at) VALUES ('/a.jpg', 'a', 1, 1, 9, 9, 'jpeg', 0)",
      )
      .run()
    old
      .prepare(
        "INSERT INTO boxes (image_id, class_id, x, y, w, h, source, score, created_at, updated_at) VALUES (1, 1, 0, 0, 1, 1, 'kindled', 0.42, 0, 0)",
      )
      .run()
    migrate(old)
    expect(old.prepare('SELECT min_kindled_score AS s, score_key AS k, reviewed AS r, box_count AS n FROM images').get()).toEqual({
      s: 0.42,
      k: 0.42,
      r: 0,
      n: 1,
    })
    old.close()
  })
})

describe('classes', () => {
  it('adds a class last in key order with a colour of its own, renames it, and deletes it while unused', async () => {
    const { store, call, fails } = project(1)
    const dog: { id: number; color: string } = await call('classes.add', { name: '  dog ' })
    expect(dog).toMatchObject({ name: 'dog', position: 1 })
    expect(dog.color).not.toBe(store.classes()[0].color)
    expect(await fails('classes.add', { name: 'Dog' })).toMatchObject({ code: 'conflict', field: 'params.name' })
    expect(await fails('classes.add', { name: '' })).toMatchObject({ field: 'params.name' })
    expect(await fails('classes.add', { name: 'cat', color: 'red' })).toMatchObject({ field: 'params.color' })
    expect(await call('classes.update', { id: dog.id, name: 'puppy' })).toMatchObject({ id: dog.id, name: 'puppy' })
    expect(await fails('classes.update', { id: dog.id, name: 'FACE' })).toMatchObject({ code: 'conflict' })
    store.addBox({ imageId: 1, classId: dog.id, x: 1, y: 1, w: 9, h: 9, source: 'human' })
    expect(await fails('classes.delete', { id: dog.id })).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('1 box uses this class'),
    })
    store.db.prepare('DELETE FROM boxes').run()
    expect(await call('classes.delete', { id: dog.id })).toEqual({ id: dog.id })
    expect(store.classes().map((c) => c.name)).toEqual(['face'])
    expect(await fails('classes.delete', { id: 77 })).toMatchObject({ code: 'not_found', field: 'params.id' })
  })
})
