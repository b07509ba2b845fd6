// The val photos int8 is scored on before a deploy are the ones the run evaluated on: a fine-tune's smiling faces
// count as smiling faces there too, not as the faces the project stores them as.
import { describe, expect, it } from 'vitest'
import { valImages } from '../../../src/main/onnx/index.js'
import { Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

function project() {
  const store = Store.open(tempDir(), { create: true })
  const image = (n: number, split: 'train' | 'val') => ({
    path: `/p/${n}.jpg`,
    sha256: `s-${n}`,
    bytes: 1,
    mtimeMs: 0,
    width: 100,
    height: 100,
    format: 'jpeg',
    split,
  })
  store.addImages([image(1, 'train'), image(2, 'val')])
  const face = store.classes()[0].id
  const smiling = (value: boolean) => ({ smiling: { value, score: 0.9, source: 'kindled' as const } })
  store.addBox({ imageId: 1, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'kindled', attributes: smiling(true) })
  store.addBox({ imageId: 2, classId: face, x: 0, y: 0, w: 10, h: 10, source: 'kindled', attributes: smiling(true) })
  store.addBox({ imageId: 2, classId: face, x: 50, y: 50, w: 10, h: 10, source: 'kindled', attributes: smiling(false) })
  return store
}
const classMap = { 'smiling-face': { from: 'face', attribute: 'smiling' } }

describe('valImages', () => {
  it("labels val boxes by the run's class map, in the model's class order", () => {
    const store = project()
    expect(valImages(store, { classes: ['face', 'smiling-face'] }, 'all', classMap).map((im) => im.labels)).toEqual([[2, 1]])
    expect(valImages(store, { classes: ['smiling-face', 'face'] }, 'all', classMap).map((im) => im.labels)).toEqual([[1, 2]])
    // A face detector of the same project sees two faces.
    expect(valImages(store, { classes: ['face'] }).map((im) => im.labels)).toEqual([[1, 1]])
    store.close()
  })

  it('leaves out a model class the project cannot supply instead of refusing to score', () => {
    const store = project()
    // No class map: the model's smiling-face has no boxes in this project; its faces are still faces.
    expect(valImages(store, { classes: ['face', 'smiling-face'] }).map((im) => im.labels)).toEqual([[1, 1]])
    store.close()
  })
})
