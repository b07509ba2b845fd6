import { describe, expect, it } from 'vitest'
import { type NewImage, Store, tagFilterTerm } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

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

function projectWith(n: number) {
  const store = Store.open(tempDir(), { create: true })
  store.addImages(Array.from({ length: n }, (_, i) => image(i + 1)))
  return store
}

const summary = (store: Store, id: number) => store.tags(id).map((t) => `${t.name}=${t.value}/${t.source}`)

describe('image tags', () => {
  it('sets, clears, undoes and redoes a person’s tag, on top of what the teacher said', () => {
    const store = projectWith(2)
    store.tagTable.put({ imageId: 1, name: 'smiling', value: true, source: 'kindled', teacher: 'blazeface', score: 0.9 })
    expect(summary(store, 1)).toEqual(['smiling=true/kindled'])

    store.setTag(1, 'smiling', false)
    const [tag] = store.tags(1)
    expect(tag).toMatchObject({ name: 'smiling', value: false, source: 'human' })
    expect(tag.layers.map((l) => `${l.value}/${l.source}`)).toEqual(['false/human', 'true/kindled'])
    expect(store.edits.status()).toEqual({ canUndo: true, canRedo: false })

    expect(store.undo()).toMatchObject({ imageId: 1, action: 'tag.set' })
    expect(summary(store, 1)).toEqual(['smiling=true/kindled'])
    expect(store.redo()).toMatchObject({ action: 'tag.set' })
    expect(summary(store, 1)).toEqual(['smiling=false/human'])

    store.setTag(1, 'smiling', true)
    store.clearTag(1, 'smiling')
    expect(summary(store, 1)).toEqual(['smiling=true/kindled'])
    expect(store.undo()).toMatchObject({ action: 'tag.clear' })
    expect(summary(store, 1)).toEqual(['smiling=true/human'])
    expect(store.undo()).toMatchObject({ action: 'tag.set' })
    expect(summary(store, 1)).toEqual(['smiling=false/human'])
    // Saying again what one's layer already says is no edit: nothing new to undo.
    const before = store.db.prepare('SELECT count(*) AS n FROM edits').get()
    store.setTag(1, 'smiling', false)
    expect(store.db.prepare('SELECT count(*) AS n FROM edits').get()).toEqual(before)
  })

  it('refuses a tag on a photo the project does not have', () => {
    const store = projectWith(1)
    expect(() => store.setTag(99, 'smiling', true)).toThrow(/no image with id 99/)
  })

  it('filters the Library and the review queue by the top layer of a tag', () => {
    const store = projectWith(10)
    for (const id of [2, 4, 6, 8]) store.tagTable.put({ imageId: id, name: 'smiling', value: true, source: 'kindled', teacher: 't' })
    store.tagTable.put({ imageId: 3, name: 'smiling', value: false, source: 'imported' })
    store.tagTable.put({ imageId: 5, name: 'smiling', value: true, source: 'imported' })
    store.setTag(4, 'smiling', false) // a person overrides the teacher
    store.tagTable.put({ imageId: 7, name: 'waving', value: true, source: 'human' })

    const page = (value: boolean) => store.page({ tag: { name: 'smiling', value }, sort: 'name', offset: 0, limit: 50 })
    expect(page(true).items.map((i) => i.id)).toEqual([2, 5, 6, 8])
    expect(page(true).total).toBe(4)
    expect(page(false).items.map((i) => i.id)).toEqual([1, 3, 4, 7, 9, 10])
    expect(page(false).total).toBe(6)
    expect(store.page({ state: 'new', tag: { name: 'waving', value: true }, sort: 'name', offset: 0, limit: 50 }).total).toBe(1)

    const q = { filter: 'all' as const, sort: 'name' as const, lowScore: 0.5, tag: { name: 'smiling', value: true } }
    expect(store.queueStep(q, undefined, 'next', 10)).toEqual([2, 5, 6, 8])
    expect(store.queueStep(q, 5, 'next', 10)).toEqual([6, 8])
    expect(store.reviewQueue(q, { around: 6, offset: 0, limit: 3 })).toEqual({ total: 4, offset: 1, ids: [5, 6, 8], position: 2 })
    expect(store.queueStep({ ...q, tag: { name: 'smiling', value: false } }, 3, 'next', 10)).toEqual([4, 7, 9, 10])
    expect(store.tagTable.names()).toEqual(['smiling', 'waving'])
  })

  it('finds a tag’s photos through its index, not a scan of every tag or photo', () => {
    const store = projectWith(3)
    const plan = (sql: string) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ tagName: 'smiling', limit: 200, offset: 0 }) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ')
    const count = plan(`SELECT count(*) FROM images WHERE ${tagFilterTerm({ name: 'smiling', value: true }, 'count').term}`)
    expect(count).toMatch(/SEARCH image_tags USING COVERING INDEX image_tags_by_name \(name=\? AND value=\?\)/)
    expect(count).not.toMatch(/SCAN image_tags/)
    // A page walks the sort's index (no sort of the tagged photos) and tests each against the set.
    const page = plan(`SELECT id FROM images WHERE ${tagFilterTerm({ name: 'smiling', value: true }, 'page').term} ORDER BY path LIMIT @limit`)
    expect(page).toMatch(/SCAN images USING COVERING INDEX sqlite_autoindex_images_1/)
    expect(page).toMatch(/SEARCH image_tags USING COVERING INDEX image_tags_by_name \(name=\? AND value=\?\)/)
    expect(page).not.toMatch(/TEMP B-TREE/)
    const step = plan(`SELECT id FROM images WHERE ${tagFilterTerm({ name: 'smiling', value: false }, 'step').term} ORDER BY path LIMIT @limit`)
    expect(step).toMatch(
      /SEARCH t USING (PRIMARY KEY|(COVERING )?INDEX image_tags_by_name) \((image_id=\? AND name=\?|name=\? AND value=\? AND image_id=\?)\)/,
    )
    expect(step).not.toMatch(/SCAN t\b/)
  })

  it('keeps each photo’s tag as its top layer says, through every write, undo and delete', () => {
    const store = projectWith(2)
    const top = () => store.db.prepare('SELECT image_id AS id, name, value FROM image_tags ORDER BY image_id, name').all()
    store.tagTable.put({ imageId: 1, name: 'smiling', value: false, source: 'predicted', runId: 1, score: 0.2 })
    expect(top()).toEqual([{ id: 1, name: 'smiling', value: 0 }])
    store.tagTable.put({ imageId: 1, name: 'smiling', value: true, source: 'kindled', teacher: 't' })
    store.tagTable.put({ imageId: 2, name: 'smiling', value: true, source: 'imported' })
    expect(top()).toEqual([
      { id: 1, name: 'smiling', value: 1 },
      { id: 2, name: 'smiling', value: 1 },
    ])
    store.setTag(1, 'smiling', false)
    expect(top()[0]).toEqual({ id: 1, name: 'smiling', value: 0 })
    store.tagTable.put({ imageId: 1, name: 'smiling', value: true, source: 'predicted', runId: 2 }) // below: no change
    expect(top()[0]).toEqual({ id: 1, name: 'smiling', value: 0 })
    store.undo()
    expect(top()[0]).toEqual({ id: 1, name: 'smiling', value: 1 })
    store.tagTable.delete(1, 'smiling', 'kindled')
    expect(top()[0]).toEqual({ id: 1, name: 'smiling', value: 1 }) // the prediction, now on top
    store.tagTable.delete(1, 'smiling', 'predicted')
    store.images.removeAtPaths([image(2).path])
    expect(top()).toEqual([])
    expect(store.tagTable.names()).toEqual([])
  })

  it('loses a photo’s tags and their undo history with the photo', () => {
    const store = projectWith(2)
    store.setTag(1, 'smiling', true)
    store.images.removeAtPaths([image(1).path])
    expect(store.db.prepare('SELECT count(*) AS n FROM tags').get()).toEqual({ n: 0 })
    expect(store.edits.status().canUndo).toBe(false)
  })
})
