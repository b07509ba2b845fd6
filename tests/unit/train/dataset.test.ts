// Which photos train and which evaluate, and boxes as the detector wants them.
import { describe, expect, it } from 'vitest'
import type { Split } from '../../../src/shared/api.js'
import { Store } from '../../../src/main/store/index.js'
import {
  heldOutCount,
  labelledPhotos,
  loadDataset,
  refusal,
  splitCounts,
  splitPhotos,
  toCorners,
  type LabelledPhoto,
} from '../../../src/main/train/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const photo = (id: number, split: Split, sha256 = `sha-${String(id).padStart(3, '0')}`): LabelledPhoto => ({
  id,
  path: `/photos/${id}.jpg`,
  sha256,
  width: 100,
  height: 50,
  split,
  boxes: [[0.1, 0.1, 0.5, 0.5]],
  labels: [1],
})

describe('splitPhotos', () => {
  it('trains on train photos and evaluates on val photos; test photos do neither', () => {
    const { train, val, heldOut } = splitPhotos([photo(1, 'train'), photo(2, 'val'), photo(3, 'test'), photo(4, 'train')])
    expect(train.map((p) => p.id)).toEqual([1, 4])
    expect(val.map((p) => p.id)).toEqual([2])
    expect(heldOut).toBe(false)
    expect(train[0]).not.toHaveProperty('split')
  })

  it('with no val photos holds out a tenth of the train photos, the first by sha256, whatever their order', () => {
    const photos = Array.from({ length: 25 }, (_, i) => photo(i + 1, 'train', `sha-${String((i * 7) % 25).padStart(3, '0')}`))
    const a = splitPhotos(photos)
    const b = splitPhotos([...photos].reverse())
    expect(a.heldOut).toBe(true)
    expect(a.val).toHaveLength(3) // round(2.5)
    expect(a.val.map((p) => p.sha256).sort()).toEqual(['sha-000', 'sha-001', 'sha-002'])
    expect(b.val.map((p) => p.id).sort()).toEqual(a.val.map((p) => p.id).sort())
    expect(a.train).toHaveLength(22)
  })

  it('holds out at least one photo of two, none of one', () => {
    expect(splitPhotos([photo(1, 'train'), photo(2, 'train')]).val).toHaveLength(1)
    expect(splitPhotos([photo(1, 'train')]).val).toHaveLength(0)
  })
})

describe('toCorners', () => {
  it('turns pixel boxes into normalised corners, clipped to the photo', () => {
    expect(toCorners({ x: 10, y: 5, w: 40, h: 20 }, 100, 50)).toEqual([0.1, 0.1, 0.5, 0.5])
    expect(toCorners({ x: -10, y: 40, w: 30, h: 20 }, 100, 50)).toEqual([0, 0.8, 0.2, 1])
    expect(toCorners({ x: 120, y: 0, w: 10, h: 10 }, 100, 50)).toBeNull()
    expect(toCorners({ x: 10, y: 10, w: 0, h: 10 }, 100, 50)).toBeNull()
  })
})

describe('labelledPhotos and loadDataset on a real store', () => {
  function project() {
    const store = Store.open(tempDir(), { create: true })
    const image = (n: number, split: Split) => ({
      path: `/photos/${n}.jpg`,
      sha256: `sha-${n}`,
      bytes: 1,
      mtimeMs: 0,
      width: 200,
      height: 100,
      format: 'jpeg',
      split,
    })
    store.addImages([image(1, 'train'), image(2, 'train'), image(3, 'train'), image(4, 'val'), image(5, 'train')])
    const face = store.classes()[0].id
    const smile = store.addClass('smile', '#00ff00').id
    store.addBox({ imageId: 1, classId: face, x: 20, y: 10, w: 40, h: 20, source: 'kindled' })
    store.addBox({ imageId: 1, classId: smile, x: 100, y: 50, w: 50, h: 50, source: 'human' })
    store.addBox({ imageId: 2, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'predicted' }) // a model's guess: not truth
    store.addBox({ imageId: 4, classId: face, x: 0, y: 0, w: 100, h: 100, source: 'human' })
    store.setReviewed(3, true) // reviewed, no box: a true negative
    store.setReviewed(4, true)
    return { store, face, smile }
  }

  it("'all': photos with kindled, human or imported boxes and reviewed photos without any; classes 1-based in key order", () => {
    const { store, face, smile } = project()
    const photos = labelledPhotos(store, 'all', [face, smile])
    expect(photos.map((p) => p.id)).toEqual([1, 3, 4])
    expect(photos[0].boxes).toEqual([
      [0.1, 0.1, 0.3, 0.3],
      [0.5, 0.5, 0.75, 1],
    ])
    expect(photos[0].labels).toEqual([1, 2])
    expect(photos[1]).toMatchObject({ boxes: [], labels: [] })
    expect(labelledPhotos(store, 'all', [smile, face])[0].labels).toEqual([2, 1])
    store.close()
  })

  it("'reviewed': reviewed photos only, including those with no box", () => {
    const { store } = project()
    const dataset = loadDataset(store, 'reviewed')
    expect(dataset).toMatchObject({ classes: ['face', 'smile'], heldOut: false })
    expect(dataset.train.map((p) => p.id)).toEqual([3])
    expect(dataset.val.map((p) => p.id)).toEqual([4])
    store.close()
  })

  it('refuses a project with nothing labelled, saying what to do', () => {
    const store = Store.open(tempDir(), { create: true })
    expect(() => loadDataset(store, 'all')).toThrow(
      'no labelled photos in the train split (the project has no labelled photos yet). Label photos in the train split: kindle them',
    )
    expect(() => loadDataset(store, 'reviewed')).toThrow(
      'no reviewed photos in the train split (the project has no reviewed photos yet). Review photos in the train split',
    )
    store.close()
  })

  it('agrees with the SQL count per split, hold-out included', () => {
    const { store } = project()
    for (const labels of ['all', 'reviewed'] as const) {
      const dataset = loadDataset(store, labels)
      const counts = splitCounts(store, labels)
      expect(counts.train - counts.heldOut).toBe(dataset.train.length)
      expect(counts.heldOut > 0).toBe(dataset.heldOut)
      expect(counts.val + counts.heldOut).toBe(dataset.val.length)
    }
    store.close()
  })
})

describe('refusal', () => {
  it('names the split that holds the labelled photos when train holds none, and the fix', () => {
    expect(refusal({ train: 0, val: 0, test: 1 }, 'all')).toBe(
      'no labelled photos in the train split (1 labelled photo is in test, which is kept for final evaluation). ' +
        'Label photos in the train split: kindle them, import labels for them or review them (the Review page can show ' +
        'that split only). A photo’s split is fixed by its file name: about 7 in 10 photos you import land in train',
    )
    expect(refusal({ train: 0, val: 2, test: 3 }, 'reviewed')).toBe(
      'no reviewed photos in the train split (2 reviewed photos are in val, which only evaluates; 3 reviewed photos are ' +
        'in test, which is kept for final evaluation). Review photos in the train split (the Review page can show that ' +
        'split only), or train on all labels',
    )
  })

  it('asks for a second photo when one train photo and no val photo leave nothing to evaluate on', () => {
    expect(refusal({ train: 1, val: 0, test: 4 }, 'all')).toMatch(
      /^only 1 labelled photo in the train split and none in val: a run needs photos to learn from and one to evaluate on\. Label more photos in the train or val split: /,
    )
  })

  it('lets a run start with train photos and something to evaluate on', () => {
    expect(refusal({ train: 1, val: 1, test: 0 }, 'all')).toBeNull()
    expect(refusal({ train: 2, val: 0, test: 0 }, 'all')).toBeNull()
    expect(heldOutCount(2)).toBe(1)
    expect(heldOutCount(25)).toBe(3)
    expect(heldOutCount(1)).toBe(0)
  })
})

describe('classes made from an attribute (a fine-tune’s classMap)', () => {
  function smiles() {
    const store = Store.open(tempDir(), { create: true })
    const image = (n: number, split: Split) => ({
      path: `/p/${n}.jpg`,
      sha256: `s-${n}`,
      bytes: 1,
      mtimeMs: 0,
      width: 100,
      height: 100,
      format: 'jpeg',
      split,
    })
    store.addImages([image(1, 'train'), image(2, 'train'), image(3, 'val')])
    const face = store.classes()[0].id
    const smiling = (value: boolean) => ({ smiling: { value, score: 0.9, source: 'kindled' as const } })
    store.addBox({ imageId: 1, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'kindled', attributes: smiling(true) })
    store.addBox({ imageId: 1, classId: face, x: 50, y: 50, w: 10, h: 10, source: 'kindled', attributes: smiling(false) })
    store.addBox({ imageId: 2, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'human' }) // no attribute: a face
    store.addBox({ imageId: 3, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'kindled', attributes: smiling(true) })
    return store
  }
  const map = { 'smiling-face': { from: 'face', attribute: 'smiling' } }

  it('trains a face whose smiling is true as smiling-face and the others as faces, in the run’s class order', () => {
    const store = smiles()
    const dataset = loadDataset(store, 'all', { classes: ['face', 'smiling-face'], classMap: map })
    expect(dataset.classes).toEqual(['face', 'smiling-face'])
    expect(dataset.train.map((p) => p.labels)).toEqual([[2, 1], [1]])
    expect(dataset.val.map((p) => p.labels)).toEqual([[2]])
    const reordered = loadDataset(store, 'all', { classes: ['smiling-face', 'face'], classMap: map })
    expect(reordered.train.map((p) => p.labels)).toEqual([[1, 2], [2]])
    // Without the class list, the project's classes and the mapped ones after them.
    expect(loadDataset(store, 'all', { classMap: map }).classes).toEqual(['face', 'smiling-face'])
    // The project is unchanged: one class, its boxes as they were.
    expect(store.classes().map((c) => c.name)).toEqual(['face'])
    expect(loadDataset(store, 'all').train.map((p) => p.labels)).toEqual([[1, 1], [1]])
    store.close()
  })

  it('refuses what the project cannot supply, saying which class', () => {
    const store = smiles()
    expect(() => loadDataset(store, 'all', { classes: ['face', 'smiling-face'] })).toThrow(
      "the project has no class smiling-face (its classes: face); add it, or make it from a class's attribute",
    )
    expect(() => loadDataset(store, 'all', { classMap: { 'smiling-face': { from: 'person', attribute: 'smiling' } } })).toThrow(
      'smiling-face is made from person boxes, but the project has no class person',
    )
    expect(() => loadDataset(store, 'all', { classes: ['face'], classMap: map })).toThrow(
      'the class map makes smiling-face, which is not one of',
    )
    expect(() => loadDataset(store, 'all', { classMap: { waving: { from: 'face', attribute: 'waving' } } })).toThrow(
      'no face box in the train split has waving true, so there is no waving to learn',
    )
    store.close()
  })
})
