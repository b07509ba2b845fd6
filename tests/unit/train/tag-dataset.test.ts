// Which photos a classifier of a tag learns from and is scored on: those with the tag (set or not) from a person, a
// label file or kindling — never a model's prediction — under the detector's split rules (test never touched), and
// refusals that say what to do.
import { describe, expect, it } from 'vitest'
import type { Split } from '../../../src/shared/api.js'
import { type NewImage, Store } from '../../../src/main/store/index.js'
import { loadTagDataset, tagSplitCounts } from '../../../src/main/train/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const image = (n: number, split: Split): NewImage => ({
  path: `/photos/${String(n).padStart(4, '0')}.jpg`,
  sha256: `sha-${String(n).padStart(4, '0')}`,
  bytes: 1000 + n,
  mtimeMs: n,
  width: 640,
  height: 480,
  format: 'jpeg',
  split,
})

/** Photos 1–6 train, 7–8 val, 9–10 test, and 11 in train with no tag. */
function project() {
  const store = Store.open(tempDir(), { create: true })
  const splits: Split[] = ['train', 'train', 'train', 'train', 'train', 'train', 'val', 'val', 'test', 'test', 'train']
  store.addImages(splits.map((s, i) => image(i + 1, s)))
  for (let id = 1; id <= 10; id++) store.tagTable.put({ imageId: id, name: 'smiling', value: id % 2 === 0, source: 'imported' })
  return store
}

describe('a classifier’s photos', () => {
  it('are the photos with the tag, set (class 1) or not (class 0); train trains, val scores, test neither', () => {
    const store = project()
    const data = loadTagDataset(store, 'smiling', 'all')
    expect(data.classes).toEqual(['not smiling', 'smiling'])
    expect(data.train.map((p) => [p.id, p.classIndex])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 1],
      [5, 0],
      [6, 1],
    ])
    expect(data.val.map((p) => p.id)).toEqual([7, 8])
    expect(data.heldOut).toBe(false)
    expect(tagSplitCounts(store, 'smiling', 'all')).toEqual({ train: 6, val: 2, test: 2, heldOut: 0 })
  })

  it('take the top label layer: a person over a label file over kindling; predictions never count', () => {
    const store = project()
    store.tagTable.put({ imageId: 1, name: 'smiling', value: true, source: 'kindled', teacher: 't' })
    store.setTag(3, 'smiling', true)
    store.tagTable.put({ imageId: 11, name: 'smiling', value: true, source: 'predicted', runId: 1, score: 0.9 })
    const data = loadTagDataset(store, 'smiling', 'all')
    const classOf = new Map(data.train.map((p) => [p.id, p.classIndex]))
    expect(classOf.get(1)).toBe(0) // imported false beats kindled true
    expect(classOf.get(3)).toBe(1) // a person's true beats imported false
    expect(classOf.has(11)).toBe(false) // predicted only: unlabelled
    // Reviewed: a person's say only (photos 2 and 3; no val photo has one, so photo 2, first by sha256, is held out).
    store.setTag(2, 'smiling', false)
    expect(() => loadTagDataset(store, 'smiling', 'reviewed')).toThrow(/every train photo a person tagged smiling is smiling/)
    store.setTag(4, 'smiling', false)
    const reviewed = loadTagDataset(store, 'smiling', 'reviewed')
    expect(reviewed.val.map((p) => p.id)).toEqual([2])
    expect(reviewed.train.map((p) => [p.id, p.classIndex])).toEqual([
      [3, 1],
      [4, 0],
    ])
  })

  it('with no val photo tagged, hold out a tenth of the train photos by sha256', () => {
    const store = project()
    for (const id of [7, 8]) store.tagTable.delete(id, 'smiling', 'imported')
    const data = loadTagDataset(store, 'smiling', 'all')
    expect(data.heldOut).toBe(true)
    expect(data.val.map((p) => p.id)).toEqual([1])
    expect(data.train.map((p) => p.id)).toEqual([2, 3, 4, 5, 6])
  })

  it('are refused, saying what to do, when the tag is unknown, train is empty or holds one class only', () => {
    const store = project()
    expect(() => loadTagDataset(store, 'waving', 'all')).toThrow(
      /no photo with a waving tag \(set or not\) yet; the project's tags: smiling\. Tag photos waving or not/,
    )
    for (let id = 1; id <= 6; id++) store.tagTable.delete(id, 'smiling', 'imported')
    expect(() => loadTagDataset(store, 'smiling', 'all')).toThrow(
      /0 photos with a smiling tag in the train split \(2 in val, which only evaluates; 2 in test/,
    )
    for (let id = 1; id <= 6; id++) store.tagTable.put({ imageId: id, name: 'smiling', value: true, source: 'kindled' })
    expect(() => loadTagDataset(store, 'smiling', 'all')).toThrow(
      /every train photo with a smiling tag is smiling: a classifier needs photos of both \(not smiling and smiling\)/,
    )
  })
})
