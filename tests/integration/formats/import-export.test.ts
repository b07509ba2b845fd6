import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { exportLabels, FORMAT_NAMES, importLabels, type FormatName } from '../../../src/main/formats/index.js'
import type { Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'
import { boxesOf, LABELLED, newStore, photoFolder, snapshot, type PlainBox } from './helpers.js'

const stores: Store[] = []
const open = () => {
  const store = newStore()
  stores.push(store)
  return store
}
afterEach(() => stores.splice(0).forEach((s) => s.close()))

describe("dlib-faces' own labels", () => {
  it('imports training.xml and testing.xml: 18 + 25 = 43 human boxes on the 9 labelled photos, photos and all', async () => {
    const { photos, training, testing } = photoFolder()
    const store = open()
    const first = await importLabels(store, { labelsFile: training, imagesDir: photos })
    expect(first).toMatchObject({ formats: ['dlib'], images: 4, boxes: 18, duplicates: 0, clipped: 0, newClasses: [] })
    expect(first.photos).toMatchObject({ imported: 11, skipped: [] })
    const second = await importLabels(store, { labelsFile: testing, imagesDir: photos, images: 'existing' })
    expect(second).toMatchObject({ images: 5, boxes: 25, photos: null })

    expect(store.counts()).toMatchObject({ images: 11, boxes: 43, classes: 1 })
    const boxes = boxesOf(store, photos)
    expect(boxes).toHaveLength(43)
    expect(new Set(boxes.map((b) => b.file))).toEqual(new Set(LABELLED))
    expect(new Set(boxes.map((b) => b.className))).toEqual(new Set(['face']))
    // training.xml's first box: <box top='90' left='194' width='37' height='37'/> on 2007_007763.jpg
    expect(boxes).toContainEqual({ file: '2007_007763.jpg', className: 'face', x: 194, y: 90, w: 37, h: 37 })
  })

  it('takes both files at once, and importing the same labels again adds no box twice', async () => {
    const { photos, training, testing } = photoFolder()
    const store = open()
    expect(await importLabels(store, { labelsFile: [training, testing], imagesDir: photos })).toMatchObject({ images: 9, boxes: 43 })
    const again = await importLabels(store, { labelsFile: [training, testing], imagesDir: photos })
    expect(again).toMatchObject({ boxes: 0, duplicates: 43, photos: { imported: 0, duplicates: 11 } })
    expect(store.counts().boxes).toBe(43)
  })
})

/** The project every round trip starts from: dlib's 43 faces, a second class, and a box on a photo one folder down. */
async function labelledProject() {
  const folder = photoFolder()
  const store = open()
  await importLabels(store, { labelsFile: [folder.training, folder.testing], imagesDir: folder.photos })
  const extra = path.join(folder.root, 'extra.json')
  fs.writeFileSync(
    extra,
    JSON.stringify({
      images: [
        { id: 1, file_name: 'more/Tom_Cruise_avp_2014_4.jpg' },
        { id: 2, file_name: '2008_001009.jpg' },
      ],
      annotations: [
        { image_id: 1, category_id: 7, bbox: [180, 120, 210, 260] },
        { image_id: 2, category_id: 8, bbox: [130, 220, 80, 80] },
      ],
      categories: [
        { id: 7, name: 'face' },
        { id: 8, name: 'smiling' },
      ],
    }),
  )
  const result = await importLabels(store, { labelsFile: extra, imagesDir: folder.photos, images: 'existing' })
  expect(result).toMatchObject({ boxes: 2, newClasses: ['smiling'] })
  return { ...folder, store }
}

const near = (a: PlainBox[], b: PlainBox[], tolerance: number) => {
  expect(a.map(({ file, className }) => ({ file, className }))).toEqual(b.map(({ file, className }) => ({ file, className })))
  a.forEach((box, i) => {
    for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(box[k] - b[i][k])).toBeLessThanOrEqual(tolerance)
  })
}

describe('round trips: import → export → import gives the same boxes', () => {
  it.each(FORMAT_NAMES.map((f) => [f]))('%s', async (format: FormatName) => {
    const { photos, store } = await labelledProject()
    const before = boxesOf(store, photos)
    expect(before).toHaveLength(45)

    const out = path.join(tempDir(), 'export')
    const exported = await exportLabels(store, { format, outDir: out })
    expect(exported).toMatchObject({ format, imageRoot: photos, images: 11, boxes: 45 })
    for (const file of exported.files) expect(fs.existsSync(file)).toBe(true)

    const again = open()
    const result = await importLabels(again, { labelsFile: exported.labelsFile, imagesDir: exported.imageRoot })
    expect(result.formats).toEqual([format]) // told apart by 'auto' from the files alone
    const after = boxesOf(again, photos)
    // WIDER FACE is face-only: it keeps every box but not its class. YOLO's fractions are rounded to 6 decimals.
    const expected = format === 'wider' ? before.map((b) => ({ ...b, className: 'face' })) : before
    const sort = (l: PlainBox[]) =>
      [...l].sort((a, b) => a.file.localeCompare(b.file) || a.x - b.x || a.y - b.y || a.className.localeCompare(b.className))
    near(sort(after), sort(expected), format === 'yolo' ? 0.01 : 0)
  })

  it('writes YOLO as one normalised txt per photo (empty when it has none) beside classes.txt, mirroring folders', async () => {
    const { store } = await labelledProject()
    const out = path.join(tempDir(), 'yolo')
    await exportLabels(store, { format: 'yolo', outDir: out })
    expect(fs.readFileSync(path.join(out, 'classes.txt'), 'utf8')).toBe('face\nsmiling\n')
    expect(fs.readFileSync(path.join(out, 'dogs.txt'), 'utf8')).toBe('')
    // 2008_001009.jpg is 360×480; its smiling box is [130, 220, 80, 80].
    const lines = fs.readFileSync(path.join(out, '2008_001009.txt'), 'utf8').trim().split('\n')
    expect(lines).toContain(`1 ${Number((170 / 360).toFixed(6))} 0.541667 ${Number((80 / 360).toFixed(6))} ${Number((80 / 480).toFixed(6))}`)
    expect(fs.existsSync(path.join(out, 'more', 'Tom_Cruise_avp_2014_4.txt'))).toBe(true)
  })

  it('writes VOC with 1-based corners, one XML per photo', async () => {
    const { store } = await labelledProject()
    const out = path.join(tempDir(), 'voc')
    await exportLabels(store, { format: 'voc', outDir: out })
    const xml = fs.readFileSync(path.join(out, '2007_007763.xml'), 'utf8')
    expect(xml).toContain('<filename>2007_007763.jpg</filename>')
    expect(xml).toContain('<size><width>500</width><height>375</height><depth>3</depth></size>')
    expect(xml).toContain('<bndbox><xmin>195</xmin><ymin>91</ymin><xmax>232</xmax><ymax>128</ymax></bndbox>')
  })

  it('refuses to export into a folder that already has files, unless told to overwrite', async () => {
    const { store } = await labelledProject()
    const out = tempDir()
    fs.writeFileSync(path.join(out, 'old.txt'), 'stale')
    await expect(exportLabels(store, { format: 'coco', outDir: out })).rejects.toThrow(`${out} is not empty`)
    await expect(exportLabels(store, { format: 'coco', outDir: out, overwrite: true })).resolves.toMatchObject({ boxes: 45 })
  })

  it('leaves predictions out by default', async () => {
    const { store } = await labelledProject()
    const image = store.db.prepare<[], { id: number }>('SELECT id FROM images LIMIT 1').get()!
    store.addBox({ imageId: image.id, classId: 1, x: 1, y: 1, w: 5, h: 5, source: 'predicted', runId: 1, score: 0.9 })
    store.addBox({ imageId: image.id, classId: 1, x: 2, y: 2, w: 5, h: 5, source: 'kindled', teacher: 't', score: 0.9 })
    const r = await exportLabels(store, { format: 'coco', outDir: path.join(tempDir(), 'c') })
    expect(r.boxes).toBe(46)
    const all = await exportLabels(store, { format: 'coco', outDir: path.join(tempDir(), 'd'), sources: ['human', 'kindled', 'predicted'] })
    expect(all.boxes).toBe(47)
  })
})

describe('boxes at the edge', () => {
  it('clips a box that runs over the edge, and refuses one wholly outside, naming its line', async () => {
    const { root, photos } = photoFolder()
    const store = open()
    const file = path.join(root, 'edge.xml')
    // 2008_001009.jpg is 360×480.
    fs.writeFileSync(
      file,
      `<dataset><images>
<image file='2008_001009.jpg'>
  <box top='-10' left='300' width='100' height='50'/>
</image></images></dataset>`,
    )
    const r = await importLabels(store, { labelsFile: file, imagesDir: photos })
    expect(r).toMatchObject({ boxes: 1, clipped: 1 })
    expect(boxesOf(store, photos)).toEqual([{ file: '2008_001009.jpg', className: 'face', x: 300, y: 0, w: 60, h: 40 }])

    fs.writeFileSync(
      file,
      `<dataset><images>
<image file='2008_001009.jpg'>
  <box top='10' left='400' width='100' height='50'/>
</image></images></dataset>`,
    )
    const before = snapshot(store)
    await expect(importLabels(store, { labelsFile: file, imagesDir: photos })).rejects.toThrow(
      `${file}:3: image[0]/box[0]: box [x 400, y 10, w 100, h 50] lies outside the 360×480 photo 2008_001009.jpg`,
    )
    expect(snapshot(store)).toEqual(before)
  })
})
