// The review requests through the real dispatcher (validation) and a real project store on disk: edits are committed
// before the answer, undo/redo walk the edit log, and the queue's filters and sorts give the order next/previous use.
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { reviewHandlers } from '../../../src/main/review/index.js'
import { type NewImage, Store } from '../../../src/main/store/index.js'
import type { Studio, StudioContext } from '../../../src/main/studio.js'
import { tempDir } from '../../helpers/fixtures.js'

const image = (n: number, split: NewImage['split'] = 'train'): NewImage => ({
  path: `/photos/${String(n).padStart(3, '0')}.jpg`,
  sha256: `sha-${n}`,
  bytes: 1,
  mtimeMs: 1,
  width: 640,
  height: 480,
  format: 'jpeg',
  split,
})

function project(n = 6) {
  const dir = tempDir()
  const store = Store.open(dir, { create: true })
  store.addImages(Array.from({ length: n }, (_, i) => image(i + 1, i % 3 === 2 ? 'val' : 'train')))
  // The dispatcher reads only `handlers`: enough of a studio to exercise validation and the handlers together.
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
  return { dir, store, call, fails }
}

describe('review requests', () => {
  it('saves a drawn box before answering, and the answer is the saved box with its provenance', async () => {
    const { dir, store, call } = project()
    const box: { id: number; source: string } = await call('boxes.add', { imageId: 2, classId: 1, x: 10, y: 20, w: 30, h: 40 })
    expect(box).toMatchObject({ imageId: 2, classId: 1, x: 10, y: 20, w: 30, h: 40, source: 'human', score: null })
    // Another connection to the file sees it at once: committed, not pending in this process.
    const other = Store.open(dir)
    expect(other.boxes(2)).toEqual([expect.objectContaining({ id: box.id, x: 10, source: 'human' })])
    other.close()
    store.close()
  })

  it('moves, resizes, reclasses and toggles smiling on a kindled box, which becomes human but keeps its teacher', async () => {
    const { store, call } = project()
    store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#2ec4b6', 1)").run()
    const kindled = store.addBox({ imageId: 1, classId: 1, x: 5, y: 5, w: 50, h: 50, source: 'kindled', teacher: 'ssd', score: 0.4 })
    await call('boxes.update', { id: kindled.id, x: 100, y: 110 })
    await call('boxes.update', { id: kindled.id, w: 70, h: 60 })
    await call('boxes.update', { id: kindled.id, classId: 2 })
    const last = await call('boxes.update', { id: kindled.id, attributes: { smiling: { value: true, source: 'human' } } })
    expect(last).toMatchObject({ x: 100, y: 110, w: 70, h: 60, classId: 2, source: 'human', teacher: 'ssd', score: 0.4 })
    expect(store.boxes(1)[0].attributes).toEqual({ smiling: { value: true, source: 'human' } })
  })

  it('accepts a kindled box as it is: same place and score, now a person’s', async () => {
    const { store, call } = project()
    const kindled = store.addBox({ imageId: 1, classId: 1, x: 5, y: 6, w: 50, h: 60, source: 'kindled', teacher: 'ssd', score: 0.7 })
    expect(await call('boxes.update', { id: kindled.id })).toMatchObject({ x: 5, y: 6, w: 50, h: 60, source: 'human', score: 0.7 })
  })

  it('tells the studio after each committed edit, and not after a refused one', async () => {
    const store = Store.open(tempDir(), { create: true })
    store.addImages([image(1)])
    let changes = 0
    const h = reviewHandlers({ requireStore: () => store, projectChanged: () => void changes++ } as StudioContext)
    const box = h['boxes.add']({ imageId: 1, classId: 1, x: 1, y: 1, w: 5, h: 5, attributes: {} })
    h['boxes.update']({ id: box.id, x: 2 })
    h['images.setReviewed']({ id: 1, reviewed: true })
    h['edits.undo']({})
    expect(() => h['boxes.delete']({ id: 999 })).toThrow('no box')
    expect(changes).toBe(0) // not before the answers have gone
    await new Promise((resolve) => setImmediate(resolve))
    expect(changes).toBe(4)
  })

  it('undoes and redoes each step in order, and the log survives reopening the project', async () => {
    const { dir, store, call } = project()
    const box: { id: number } = await call('boxes.add', { imageId: 1, classId: 1, x: 10, y: 10, w: 20, h: 20 })
    await call('boxes.update', { id: box.id, x: 30 })
    await call('boxes.delete', { id: box.id })
    await call('images.setReviewed', { id: 1, reviewed: true })
    store.close()

    const reopened = Store.open(dir)
    // Fresh handlers on a reopened store, as after a restart: the history is in the file, not in memory.
    const h = reviewHandlers({ requireStore: () => reopened, projectChanged: () => {} } as StudioContext)
    expect(reopened.image(1)!.state).toBe('reviewed')
    // The Review page's Undo and Redo buttons: enabled when there is a step to take.
    expect(h['edits.status']({})).toEqual({ canUndo: true, canRedo: false })
    expect(h['edits.undo']({}).edit).toMatchObject({ imageId: 1, action: 'image.review' })
    expect(h['edits.status']({})).toEqual({ canUndo: true, canRedo: true })
    expect(reopened.image(1)!.state).toBe('new')
    expect(h['edits.undo']({}).edit?.action).toBe('box.delete')
    expect(reopened.boxes(1)).toEqual([expect.objectContaining({ x: 30 })])
    expect(h['edits.undo']({}).edit?.action).toBe('box.update')
    expect(reopened.boxes(1)).toEqual([expect.objectContaining({ x: 10 })])
    expect(h['edits.undo']({}).edit?.action).toBe('box.add')
    expect(reopened.boxes(1)).toEqual([])
    expect(h['edits.undo']({}).edit).toBeNull()
    expect(h['edits.status']({})).toEqual({ canUndo: false, canRedo: true })
    expect(h['edits.redo']({}).edit?.action).toBe('box.add')
    expect(h['edits.redo']({}).edit?.action).toBe('box.update')
    expect(reopened.boxes(1)).toEqual([expect.objectContaining({ id: box.id, x: 30 })])
    reopened.close()
  })

  it('undoes class edits with the class list in the answer, and refuses as a conflict to drop a class in use', async () => {
    const { store, call, fails } = project()
    const cat: { id: number } = await call('classes.add', { name: 'cat' })
    await call('classes.update', { id: cat.id, name: 'kitten' })
    const renameUndone: { edit: unknown; classes: { name: string }[] } = await call('edits.undo', {})
    expect(renameUndone.edit).toMatchObject({ imageId: null, action: 'class.update' })
    expect(renameUndone.classes.map((c) => c.name)).toEqual(['face', 'cat'])
    // A box edit's answer carries no class list: the page has nothing to refresh but the photo.
    await call('boxes.add', { imageId: 1, classId: 1, x: 1, y: 1, w: 5, h: 5 })
    expect(await call('edits.undo', {})).toEqual({ edit: expect.objectContaining({ action: 'box.add' }) })
    // A box the log does not know of (as an import adds them) keeps the class from being undone away.
    store.addBox({ imageId: 2, classId: cat.id, x: 1, y: 1, w: 5, h: 5, source: 'kindled' })
    expect(await fails('edits.undo', {})).toMatchObject({
      code: 'conflict',
      message: 'cannot undo adding class "cat": 1 box uses it; delete or reclass them first',
    })
    expect(store.classes().map((c) => c.name)).toEqual(['face', 'cat'])
  })

  it('refuses bad edits by naming the field, and changes nothing', async () => {
    const { store, fails } = project()
    expect(await fails('boxes.add', { imageId: 1, classId: 1, x: 10, y: 10, w: 0, h: 20 })).toMatchObject({
      code: 'invalid',
      field: 'params.w',
    })
    expect(await fails('boxes.add', { imageId: 1, classId: 1, x: 600, y: 10, w: 100, h: 20 })).toMatchObject({
      code: 'invalid',
      field: 'params.w',
    })
    expect(await fails('boxes.add', { imageId: 99, classId: 1, x: 1, y: 1, w: 2, h: 2 })).toMatchObject({
      code: 'not_found',
      field: 'params.imageId',
    })
    expect(await fails('boxes.add', { imageId: 1, classId: 7, x: 1, y: 1, w: 2, h: 2 })).toMatchObject({
      field: 'params.classId',
    })
    expect(await fails('boxes.update', { id: 12345, x: 1 })).toMatchObject({ code: 'not_found', field: 'params.id' })
    expect(await fails('boxes.update', { id: 1, colour: 'red' })).toMatchObject({ field: 'params.colour' })
    expect(await fails('boxes.add', { imageId: 1, classId: 1, x: 1, y: 1, w: 2, h: 2, attributes: { smiling: { value: {} } } })).toMatchObject({
      field: 'params.attributes.smiling.value',
    })
    expect(await fails('review.queue', { filter: 'blurry' })).toMatchObject({ field: 'params.filter' })
    expect(store.counts().boxes).toBe(0)
    expect(store.db.prepare('SELECT count(*) AS n FROM edits').get()).toEqual({ n: 0 })
  })

  it('filters and sorts the queue, and centres a window on a photo for next/previous', async () => {
    const { store, call } = project(6)
    store.db.prepare('UPDATE images SET kindled_at = 1 WHERE id IN (2, 3, 4)').run()
    store.addBox({ imageId: 2, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'kindled', teacher: 't', score: 0.9 })
    store.addBox({ imageId: 3, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'kindled', teacher: 't', score: 0.2 })
    store.addBox({ imageId: 4, classId: 1, x: 1, y: 1, w: 9, h: 9, source: 'kindled', teacher: 't', score: 0.45 })
    store.setReviewed(5, true)
    const ids = async (params: object) => ((await call('review.queue', { limit: 100, ...params })) as { ids: number[] }).ids

    expect(await ids({ filter: 'all' })).toEqual([1, 2, 3, 4, 5, 6])
    expect(await ids({ filter: 'unreviewed' })).toEqual([1, 2, 3, 4, 6])
    expect(await ids({ filter: 'reviewed' })).toEqual([5])
    expect(await ids({ filter: 'low-score' })).toEqual([3, 4])
    expect(await ids({ filter: 'low-score', lowScore: 0.3 })).toEqual([3])
    expect(await ids({ filter: 'no-boxes' })).toEqual([1, 5, 6])
    expect(await ids({ filter: 'all', split: 'val' })).toEqual([3, 6])
    expect(await ids({ filter: 'all', sort: 'newest' })).toEqual([6, 5, 4, 3, 2, 1])
    expect(await ids({ filter: 'all', sort: 'score' })).toEqual([3, 4, 2, 1, 5, 6])
    store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#2ec4b6', 1)").run()
    store.addBox({ imageId: 6, classId: 2, x: 1, y: 1, w: 9, h: 9, source: 'human' })
    expect(await ids({ filter: 'all', classId: 2 })).toEqual([6])

    expect(await call('review.queue', { filter: 'all', around: 4 })).toEqual({ total: 6, offset: 2, ids: [3, 4, 5], position: 3 })
    expect(await call('review.queue', { filter: 'all', around: 1 })).toEqual({ total: 6, offset: 0, ids: [1, 2, 3], position: 0 })
    // An accepted photo leaves "unreviewed": the window says so rather than pretending it is still there.
    expect(await call('review.queue', { filter: 'unreviewed', around: 5 })).toMatchObject({ position: null, total: 5 })
  })
})
