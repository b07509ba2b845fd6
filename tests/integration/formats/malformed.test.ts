// Every bad label file is refused with the file and the line or field in the message, and leaves the project exactly
// as it was: no boxes, no classes, and none of the folder's photos (they are imported only once the labels check out).
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importLabels, LabelFileError, type FormatName } from '../../../src/main/formats/index.js'
import { ThumbnailCache } from '../../../src/main/media/index.js'
import type { Store } from '../../../src/main/store/index.js'
import { dlibFaces } from '../../helpers/fixtures.js'
import { newStore, photoFolder, snapshot } from './helpers.js'

const stores: Store[] = []
afterEach(() => stores.splice(0).forEach((s) => s.close()))

interface Case {
  name: string
  format: FormatName
  /** Files to write, relative to the labels folder; the first is the one imported (or the folder, for YOLO). */
  files: Record<string, string>
  /** What the message must say after the file name: `:3: …` or `: field: …`. */
  message: string
  existing?: boolean
  labels?: string
}

const dlibFile = (body: string) => `<?xml version='1.0' encoding='ISO-8859-1'?>\n<dataset><images>\n${body}\n</images></dataset>\n`
const voc = (inner: string, filename = '2008_001009.jpg') =>
  `<annotation>\n<filename>${filename}</filename>\n<object><name>face</name>\n${inner}\n</object>\n</annotation>\n`

const cases: Case[] = [
  {
    name: 'dlib: a coordinate that is not a number',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='2008_001009.jpg'>\n<box top='x' left='1' width='2' height='2'/></image>`) },
    message: `labels.xml:4: image[0]/box[0]@top: expected a number, got "x"`,
  },
  {
    name: 'dlib: a box with a missing attribute',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='2008_001009.jpg'>\n<box top='1' left='1' height='2'/></image>`) },
    message: 'labels.xml:4: image[0]/box[0]@width: missing attribute width',
  },
  {
    name: 'dlib: an image path climbing out of the folder',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='../training.xml'><box top='1' left='1' width='2' height='2'/></image>`) },
    message: 'labels.xml:3: image[0]@file: image path "../training.xml" points outside the image folder',
  },
  {
    name: 'dlib: an absolute image path',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='/etc/hostname.jpg'/>`) },
    message: 'labels.xml:3: image[0]@file: image path "/etc/hostname.jpg" is absolute',
  },
  {
    name: 'dlib: XML that is not well-formed',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='2008_001009.jpg'>\n<box top='1' left='1' width='2' height='2'>\n</image>`) },
    message: 'labels.xml:5: not well-formed XML: </image> closes <box> (line 4)',
  },
  {
    name: 'dlib: a photo that is not there',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='missing.jpg'><box top='1' left='1' width='2' height='2'/></image>`) },
    message: 'labels.xml:3: image[0]: no such image: missing.jpg',
  },
  {
    name: 'dlib: a photo in the folder but not in the project, labels only',
    format: 'dlib',
    existing: true,
    files: { 'labels.xml': dlibFile(`<image file='bald_guys.jpg'><box top='1' left='1' width='2' height='2'/></image>`) },
    message: 'labels.xml:3: image[0]: unknown image bald_guys.jpg',
  },
  {
    name: 'dlib: a size that is not the photo’s',
    format: 'dlib',
    files: { 'labels.xml': dlibFile(`<image file='2008_001009.jpg' width='480' height='360'/>`) },
    message: 'labels.xml:3: image[0]: says 2008_001009.jpg is 480×360, but the photo is 360×480',
  },

  {
    name: 'COCO: a bbox of three numbers',
    format: 'coco',
    files: {
      'labels.json': JSON.stringify({
        images: [{ id: 1, file_name: '2008_001009.jpg' }],
        annotations: [{ image_id: 1, category_id: 1, bbox: [1, 2, 3] }],
        categories: [{ id: 1, name: 'face' }],
      }),
    },
    message: 'labels.json: annotations[0].bbox: expected array of 4 numbers',
  },
  {
    name: 'COCO: a bbox with a string in it',
    format: 'coco',
    files: {
      'labels.json': JSON.stringify({
        images: [{ id: 1, file_name: '2008_001009.jpg' }],
        annotations: [{ image_id: 1, category_id: 1, bbox: [1, 2, '3', 4] }],
        categories: [{ id: 1, name: 'face' }],
      }),
    },
    message: 'labels.json: annotations[0].bbox: expected array of 4 numbers',
  },
  {
    name: 'COCO: an image without file_name',
    format: 'coco',
    files: { 'labels.json': JSON.stringify({ images: [{ id: 1 }], annotations: [], categories: [] }) },
    message: 'labels.json: images[0].file_name: missing (expected a string)',
  },
  {
    name: 'COCO: an annotation of an image that is not listed',
    format: 'coco',
    files: {
      'labels.json': JSON.stringify({
        images: [{ id: 1, file_name: '2008_001009.jpg' }],
        annotations: [{ image_id: 2, category_id: 1, bbox: [1, 2, 3, 4] }],
        categories: [{ id: 1, name: 'face' }],
      }),
    },
    message: 'labels.json: annotations[0].image_id: no image with id 2 in images',
  },
  {
    name: 'COCO: a file_name climbing out of the folder',
    format: 'coco',
    files: { 'labels.json': JSON.stringify({ images: [{ id: 1, file_name: 'a/../../x.jpg' }], annotations: [], categories: [] }) },
    message: 'labels.json: images[0].file_name: image path "a/../../x.jpg" points outside the image folder',
  },
  {
    name: 'COCO: a box with no area',
    format: 'coco',
    files: {
      'labels.json': JSON.stringify({
        images: [{ id: 1, file_name: '2008_001009.jpg' }],
        annotations: [{ image_id: 1, category_id: 1, bbox: [1, 2, 0, 4] }],
        categories: [{ id: 1, name: 'face' }],
      }),
    },
    message: 'labels.json: annotations[0].bbox: box has no area (width 0, height 4)',
  },

  {
    name: 'YOLO: a line of four numbers',
    format: 'yolo',
    labels: '.',
    files: { 'classes.txt': 'face\nsmiling\n', '2008_001009.txt': '0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n' },
    message: '2008_001009.txt:2: expected 5 numbers (class cx cy w h), got 4',
  },
  {
    name: 'YOLO: a coordinate that is not a number',
    format: 'yolo',
    labels: '.',
    files: { 'classes.txt': 'face\n', '2008_001009.txt': '0 0.5 abc 0.1 0.1\n' },
    message: '2008_001009.txt:1: cy: expected a number, got "abc"',
  },
  {
    name: 'YOLO: a class index past the classes file',
    format: 'yolo',
    labels: '.',
    files: { 'classes.txt': 'face\nsmiling\n', '2008_001009.txt': '\n2 0.5 0.5 0.1 0.1\n' },
    message: '2008_001009.txt:2: class 2 is not in the classes file (0–1)',
  },
  {
    name: 'YOLO: a label file with no photo of its name',
    format: 'yolo',
    labels: '.',
    files: { 'classes.txt': 'face\n', 'ghost.txt': '0 0.5 0.5 0.1 0.1\n' },
    message: 'ghost.txt: no photo named ghost.jpg',
  },
  {
    name: 'YOLO: a classes file with the same class twice',
    format: 'yolo',
    labels: 'obj.names',
    files: { 'obj.names': 'face\nsmiling\nface\n' },
    message: 'obj.names:3: class "face" is already on line 1',
  },

  {
    name: 'VOC: a box without xmin',
    format: 'voc',
    files: { 'a.xml': voc('<bndbox><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>') },
    message: 'a.xml:4: annotation/object[0]/bndbox/xmin: missing <xmin>',
  },
  {
    name: 'VOC: a corner that is not a number',
    format: 'voc',
    files: { 'a.xml': voc('<bndbox>\n<xmin>1</xmin><ymin>1</ymin><xmax>five</xmax><ymax>5</ymax></bndbox>') },
    message: 'a.xml:5: annotation/object[0]/bndbox/xmax: expected a number, got "five"',
  },
  {
    name: 'VOC: a filename climbing out of the folder',
    format: 'voc',
    files: { 'a.xml': voc('<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>', '../../etc/x.jpg') },
    message: 'a.xml:2: annotation/filename: image path "../../etc/x.jpg" points outside the image folder',
  },
  {
    name: 'VOC: an XML that is not an annotation (one bad file in a folder of good ones)',
    format: 'voc',
    labels: '.',
    files: { 'a.xml': voc('<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>'), 'b.xml': '<dataset/>' },
    message: 'b.xml:1: expected a Pascal VOC <annotation>, got <dataset>',
  },

  {
    name: 'WIDER: a count larger than the boxes that follow',
    format: 'wider',
    files: {
      'wider_face_val_bbx_gt.txt': '2008_001009.jpg\n3\n1 2 3 4 0 0 0 0 0 0\n5 6 7 8 0 0 0 0 0 0\n2008_001322.jpg\n1\n1 2 3 4 0 0 0 0 0 0\n',
    },
    message: 'wider_face_val_bbx_gt.txt:5: expected 10 numbers, got 1 (the count line above says 3 boxes: is it wrong?)',
  },
  {
    name: 'WIDER: a count smaller than the boxes that follow',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '2008_001009.jpg\n1\n1 2 3 4 0 0 0 0 0 0\n5 6 7 8 0 0 0 0 0 0\n' },
    message: 'wider_face_val_bbx_gt.txt:4: expected an image path, got a row of numbers (2008_001009.jpg says 1 box: is its count wrong?)',
  },
  {
    name: 'WIDER: a box line of four numbers',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '2008_001009.jpg\n1\n1 2 3 4\n' },
    message: 'wider_face_val_bbx_gt.txt:3: expected 10 numbers, got 4',
  },
  {
    name: 'WIDER: a coordinate that is not a number',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '2008_001009.jpg\n1\n1 y 3 4 0 0 0 0 0 0\n' },
    message: 'wider_face_val_bbx_gt.txt:3: y: expected a number, got "y"',
  },
  {
    name: 'WIDER: a count that is not a number',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '2008_001009.jpg\nthree\n' },
    message: 'wider_face_val_bbx_gt.txt:2: expected the number of boxes of 2008_001009.jpg, got "three"',
  },
  {
    name: 'WIDER: a file that ends before its boxes do',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '2008_001009.jpg\n2\n1 2 3 4 0 0 0 0 0 0\n' },
    message: 'wider_face_val_bbx_gt.txt:3: 2008_001009.jpg says 2 boxes but the file ends after 1',
  },
  {
    name: 'WIDER: an image path climbing out of the folder',
    format: 'wider',
    files: { 'wider_face_val_bbx_gt.txt': '..\\..\\x.jpg\n0\n0 0 0 0 0 0 0 0 0 0\n' },
    message: 'wider_face_val_bbx_gt.txt:1: image path "..\\\\..\\\\x.jpg" points outside the image folder',
  },
]

describe('malformed label files', () => {
  it.each(cases.map((c) => [c.name, c]))('%s', async (_, c: Case) => {
    const { root, photos, training } = photoFolder()
    const store = newStore()
    stores.push(store)
    // Labels-only cases run on a project that already has photos and boxes, to show those are untouched too.
    if (c.existing) {
      expect(await importLabels(store, { labelsFile: training, imagesDir: photos })).toMatchObject({ boxes: 18 })
      fs.copyFileSync(path.join(dlibFaces, 'bald_guys.jpg'), path.join(photos, 'bald_guys.jpg'))
    }
    const labelsDir = path.join(root, 'labels')
    for (const [name, text] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(labelsDir, name)), { recursive: true })
      fs.writeFileSync(path.join(labelsDir, name), text)
    }
    const labelsFile = path.join(labelsDir, c.labels ?? Object.keys(c.files)[0])
    const before = snapshot(store)

    // Once with the format named, once detected: the same error either way.
    for (const format of [c.format, 'auto'] as const) {
      const error = await importLabels(store, { labelsFile, imagesDir: photos, format, images: c.existing ? 'existing' : 'import' }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(LabelFileError)
      expect((error as Error).message).toContain(`${labelsDir}${path.sep}${c.message}`)
      expect(snapshot(store)).toEqual(before)
    }
  })

  it('takes the photos out again when a labelled photo turns out corrupt during the photo import', async () => {
    const { root, photos } = photoFolder()
    // Whole header, truncated pixels: its size reads fine, and only decoding (in the photo import) finds it broken.
    const whole = fs.readFileSync(path.join(photos, '2008_001009.jpg'))
    fs.writeFileSync(path.join(photos, 'broken.jpg'), whole.subarray(0, Math.floor(whole.length / 2)))
    const labels = path.join(root, 'labels.xml')
    fs.writeFileSync(
      labels,
      dlibFile(`<image file='2008_001322.jpg'><box top='1' left='1' width='20' height='20'/></image>
<image file='broken.jpg'><box top='1' left='1' width='20' height='20'/></image>`),
    )
    const store = newStore()
    stores.push(store)
    const before = snapshot(store)
    await expect(importLabels(store, { labelsFile: labels, imagesDir: photos })).rejects.toThrow(
      `${labels}:4: image[1]: photo broken.jpg cannot be labelled: truncated or corrupt JPEG`,
    )
    expect(snapshot(store)).toEqual(before)
    const thumbnails = new ThumbnailCache(store.dir)
    expect(fs.readdirSync(thumbnails.root, { recursive: true }).filter((f) => String(f).endsWith('.webp'))).toEqual([])
  })

  it('keeps nothing when the job is cancelled during the photo import', async () => {
    const { photos, training } = photoFolder()
    const store = newStore()
    stores.push(store)
    const before = snapshot(store)
    const abort = new AbortController()
    let reports = 0
    const ctx = {
      signal: abort.signal,
      report: () => {
        if (++reports === 2) abort.abort() // after the photo import has started
      },
      skip: () => {},
    }
    await expect(importLabels(store, { labelsFile: training, imagesDir: photos, ctx })).rejects.toThrow('cancelled: no labels were imported')
    expect(snapshot(store)).toEqual(before)
  })

  it('cannot tell a format it does not know, and says to name one', async () => {
    const { root, photos } = photoFolder()
    const file = path.join(root, 'labels.csv')
    fs.writeFileSync(file, 'a,b\n')
    const store = newStore()
    stores.push(store)
    await expect(importLabels(store, { labelsFile: file, imagesDir: photos })).rejects.toThrow(
      `${file}: cannot tell the label format (unknown extension .csv): name it with --format`,
    )
  })
})
