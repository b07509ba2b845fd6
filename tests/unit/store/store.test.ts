import { describe, expect, it } from 'vitest'
import { EditRefused, type NewImage, Store } from '../../../src/main/store/index.js'
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
  // Insert in shuffled order so "name" and "oldest" sorts differ.
  const order = Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n))
  store.addImages(order.map(image))
  return store
}

describe('store', () => {
  it('refuses the same content or the same path twice', () => {
    const store = Store.open(tempDir(), { create: true })
    expect(store.addImages([image(1), { ...image(2), sha256: 'sha-1' }, { ...image(3), path: image(1).path }])).toEqual([true, false, false])
    expect(store.counts().images).toBe(1)
  })

  it('pages through the filtered, sorted list exactly once each', () => {
    const store = projectWith(1000)
    const kindled = store.db.prepare('UPDATE images SET kindled_at = 1 WHERE id % 3 = 0').run().changes
    const seen: string[] = []
    for (let offset = 0; ; offset += 200) {
      const page = store.page({ state: 'kindled', sort: 'name', offset, limit: 200 })
      expect(page.total).toBe(kindled)
      if (page.items.length === 0) break
      seen.push(...page.items.map((i) => i.path))
    }
    expect(seen).toHaveLength(kindled)
    expect(seen).toEqual([...seen].sort())
    expect(new Set(seen).size).toBe(kindled)
  })

  it('sorts newest first and oldest first by import order', () => {
    const store = projectWith(50)
    const newest = store.page({ sort: 'newest', offset: 0, limit: 50 }).items.map((i) => i.id)
    const oldest = store.page({ sort: 'oldest', offset: 0, limit: 50 }).items.map((i) => i.id)
    expect(newest).toEqual([...oldest].reverse())
    expect(oldest).toEqual([...oldest].sort((a, b) => a - b))
  })

  it('counts images by review state, and boxes per image on each page', () => {
    const store = projectWith(10)
    store.db.prepare('UPDATE images SET kindled_at = 1 WHERE id <= 4').run()
    store.db.prepare('UPDATE images SET reviewed_at = 2 WHERE id <= 1').run()
    store.addBox({ imageId: 2, classId: 1, x: 1, y: 2, w: 3, h: 4, source: 'kindled', teacher: 't', score: 0.8 })
    store.addBox({ imageId: 2, classId: 1, x: 5, y: 6, w: 7, h: 8, source: 'human' })
    expect(store.counts()).toMatchObject({ images: 10, boxes: 2, reviewed: 1, kindled: 4, byState: { new: 6, kindled: 3, reviewed: 1 } })
    const page = store.page({ sort: 'oldest', offset: 0, limit: 3 })
    expect(page.items.map((i) => [i.state, i.boxes])).toEqual([
      ['reviewed', 0],
      ['kindled', 2],
      ['kindled', 0],
    ])
  })

  it('undoes and redoes a person’s box edits, and the history survives closing the project', () => {
    const dir = tempDir()
    let store = Store.open(dir, { create: true })
    store.addImages([image(1)])
    const box = store.addBox({ imageId: 1, classId: 1, x: 10, y: 10, w: 20, h: 20, source: 'human' })
    store.updateBox(box.id, { x: 15, w: 25 })
    store.setReviewed(1, true)
    store.close()

    store = Store.open(dir)
    expect(store.undo()?.action).toBe('image.review')
    expect(store.counts().reviewed).toBe(0)
    expect(store.undo()?.action).toBe('box.update')
    expect(store.boxes(1)[0]).toMatchObject({ x: 10, w: 20 })
    expect(store.undo()?.action).toBe('box.add')
    expect(store.boxes(1)).toEqual([])
    expect(store.undo()).toBeUndefined()
    store.close()

    store = Store.open(dir)
    expect(store.redo()?.action).toBe('box.add')
    expect(store.redo()?.action).toBe('box.update')
    expect(store.boxes(1)).toMatchObject([{ id: box.id, x: 15, w: 25, source: 'human' }])
    // A new edit after an undo ends the redo branch.
    store.deleteBox(box.id)
    expect(store.redo()).toBeUndefined()
    expect(store.undo()?.action).toBe('box.delete')
    expect(store.boxes(1)).toHaveLength(1)
    store.close()
  })

  it('undoes and redoes adding, renaming, recolouring and deleting a class, in one stack with box edits', () => {
    const dir = tempDir()
    let store = Store.open(dir, { create: true })
    store.addImages([image(1)])
    const face = store.classes()[0]
    const cat = store.addClass('cat', '#2ec4b6')
    const box = store.addBox({ imageId: 1, classId: cat.id, x: 10, y: 10, w: 20, h: 20, source: 'human' })
    store.updateClass(cat.id, { name: 'kitten' })
    store.updateClass(cat.id, { color: '#e71d36' })
    expect(store.updateClass(cat.id, { color: '#e71d36' })).toEqual({ ...cat, name: 'kitten', color: '#e71d36' })
    store.deleteBox(box.id)
    store.deleteClass(cat.id)
    expect(store.classes()).toEqual([face])
    store.close()

    // Newest first, across a restart; class edits belong to no photo.
    store = Store.open(dir)
    expect(store.undo()).toMatchObject({ imageId: null, action: 'class.delete' })
    expect(store.classes()).toEqual([face, { ...cat, name: 'kitten', color: '#e71d36' }])
    expect(store.undo()).toMatchObject({ imageId: 1, action: 'box.delete' })
    expect(store.undo()).toMatchObject({ imageId: null, action: 'class.update' })
    expect(store.classes()[1]).toEqual({ ...cat, name: 'kitten' })
    expect(store.undo()).toMatchObject({ imageId: null, action: 'class.update' }) // the no-change update left no step
    expect(store.classes()[1]).toEqual(cat)
    expect(store.undo()).toMatchObject({ imageId: 1, action: 'box.add' })
    expect(store.undo()).toMatchObject({ imageId: null, action: 'class.add' })
    expect(store.classes()).toEqual([face])
    expect(store.undo()).toBeUndefined()
    store.close()

    store = Store.open(dir)
    expect(store.redo()).toMatchObject({ action: 'class.add' })
    expect(store.classes()).toEqual([face, cat]) // back under its own id, which the logged box refers to
    expect(store.redo()).toMatchObject({ action: 'box.add' })
    expect(store.boxes(1)).toMatchObject([{ id: box.id, classId: cat.id }])
    expect(store.redo()).toMatchObject({ action: 'class.update' })
    expect(store.redo()).toMatchObject({ action: 'class.update' })
    expect(store.redo()).toMatchObject({ action: 'box.delete' })
    expect(store.redo()).toMatchObject({ action: 'class.delete' })
    expect(store.classes()).toEqual([face])
    expect(store.redo()).toBeUndefined()
    store.close()
  })

  it('refuses to undo a class add, or redo a class delete, while boxes use the class, and changes nothing', () => {
    const store = Store.open(tempDir(), { create: true })
    store.addImages([image(1)])
    const cat = store.addClass('cat', '#2ec4b6')
    // An import adds boxes without logging them: the class is in use by the time its add is undone.
    const imported = () => store.addBox({ imageId: 1, classId: cat.id, x: 1, y: 1, w: 5, h: 5, source: 'kindled' })
    imported()
    imported()
    const snapshot = () => ({
      classes: store.classes(),
      boxes: store.boxes(1),
      edits: store.db.prepare('SELECT * FROM edits ORDER BY id').all(),
    })
    const before = snapshot()
    expect(() => store.undo()).toThrow(EditRefused)
    expect(() => store.undo()).toThrow('cannot undo adding class "cat": 2 boxes use it; delete or reclass them first')
    expect(snapshot()).toEqual(before)

    // Once they are gone the undo goes through, and the redo of a delete meets the same rule.
    for (const b of store.boxes(1)) store.db.prepare('DELETE FROM boxes WHERE id = ?').run(b.id)
    expect(store.undo()).toMatchObject({ action: 'class.add' })
    expect(store.redo()).toMatchObject({ action: 'class.add' })
    store.deleteClass(cat.id)
    expect(store.undo()).toMatchObject({ action: 'class.delete' })
    imported()
    const withBox = snapshot()
    expect(() => store.redo()).toThrow('cannot redo deleting class "cat": 1 box uses it; delete or reclass them first')
    expect(snapshot()).toEqual(withBox)

    // A class cannot come back under a name an unlogged class took meanwhile (names are unique regardless of case).
    store.db.prepare('DELETE FROM boxes').run()
    expect(store.redo()).toMatchObject({ action: 'class.delete' })
    store.db.prepare("INSERT INTO classes (id, name, color, position) VALUES (10, 'Cat', '#000000', 5)").run()
    const nameTaken = snapshot()
    expect(() => store.undo()).toThrow('cannot undo deleting class "cat": there is already a class "Cat"')
    expect(snapshot()).toEqual(nameTaken)
    // Nor under an id a new class reused (SQLite hands out the highest id again once its class is gone).
    store.db.prepare('DELETE FROM classes WHERE id = 10').run()
    store.db.prepare("INSERT INTO classes (name, color, position) VALUES ('dog', '#000000', 5)").run()
    const idTaken = snapshot()
    expect(() => store.undo()).toThrow(`cannot undo deleting class "cat": its id ${cat.id} is taken by "dog"`)
    expect(snapshot()).toEqual(idTaken)
    store.close()
  })

  it('turns a corrected kindled box into a human one but remembers its teacher', () => {
    const store = projectWith(1)
    const box = store.addBox({
      imageId: 1,
      classId: 1,
      x: 1,
      y: 1,
      w: 9,
      h: 9,
      source: 'kindled',
      teacher: 'blazeface',
      teacherVersion: '1',
      score: 0.7,
    })
    expect(store.updateBox(box.id, { h: 12 })).toMatchObject({ source: 'human', teacher: 'blazeface', score: 0.7, h: 12 })
  })

  it('keeps its running counts equal to a full count through imports, kindling, review, edits, predictions and undo', () => {
    const store = projectWith(200)
    const recount = () => {
      const q = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n
      return {
        images: q('SELECT count(*) AS n FROM images'),
        boxes: q("SELECT count(*) AS n FROM boxes WHERE source <> 'predicted'"),
        labelled: q(
          "SELECT count(*) AS n FROM images i WHERE reviewed_at IS NOT NULL OR EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = i.id AND b.source <> 'predicted')",
        ),
        reviewed: q('SELECT count(*) AS n FROM images WHERE reviewed_at IS NOT NULL'),
        kindled: q('SELECT count(*) AS n FROM images WHERE kindled_at IS NOT NULL'),
        classes: 1,
        byState: {
          new: q("SELECT count(*) AS n FROM images WHERE state = 'new'"),
          kindled: q("SELECT count(*) AS n FROM images WHERE state = 'kindled'"),
          reviewed: q("SELECT count(*) AS n FROM images WHERE state = 'reviewed'"),
        },
      }
    }
    let seed = 7
    const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n
    const ids = Array.from({ length: 200 }, (_, i) => i + 1)
    for (let step = 0; step < 400; step++) {
      const id = ids[rand(ids.length)]
      switch (rand(7)) {
        case 0:
          store.db.prepare('UPDATE images SET kindled_at = ? WHERE id = ?').run(rand(2) ? step : null, id)
          break
        case 1:
          store.setReviewed(id, rand(2) === 0)
          break
        case 2:
          store.addBox({ imageId: id, classId: 1, x: 1, y: 1, w: 5, h: 5, source: rand(2) ? 'human' : 'kindled' })
          break
        case 3: {
          const b = store.boxes(id)[0]
          if (b) store.deleteBox(b.id)
          break
        }
        case 4:
          store.undo()
          break
        case 5:
          store.db.prepare('DELETE FROM images WHERE id = ?').run(id)
          ids.splice(ids.indexOf(id), 1)
          break
        case 6:
          store.replacePredictions(1, [{ imageId: id, boxes: rand(2) ? [{ classId: 1, x: 1, y: 1, w: 5, h: 5, score: 0.9 }] : [] }])
          break
      }
    }
    expect(store.counts()).toEqual(recount())
  })
})
