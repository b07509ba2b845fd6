// Each format on its own, in memory: what it reads, what it writes, and that writing then reading gives back the set.
import { describe, expect, it } from 'vitest'
import { labelsExportOptions, labelsImportOptions } from '../../../src/main/server/label-options.js'
import { UsageError } from '../../../src/main/server/usage.js'
import {
  LabelFileError,
  parseCoco,
  parseDlib,
  parseVoc,
  parseWider,
  parseYolo,
  parseYoloClasses,
  writeCoco,
  writeDlib,
  writeVoc,
  writeWider,
  writeYolo,
  type LabelSet,
  type SizedLabelSet,
} from '../../../src/main/formats/index.js'
import { imagePath } from '../../../src/main/formats/label-set.js'

const set: SizedLabelSet = {
  classes: ['face', 'smiling'],
  images: [
    {
      file: 'a.jpg',
      width: 100,
      height: 80,
      boxes: [
        { className: 'face', x: 10, y: 20, w: 30, h: 40 },
        { className: 'smiling', x: 0, y: 0, w: 100, h: 80 },
      ],
    },
    { file: 'sub/b & c.png', width: 640, height: 480, boxes: [] },
  ],
}

/** Strip what only a parser adds (origins), to compare with what went in. */
const plain = (s: LabelSet) =>
  s.images.map((im) => ({ file: im.file, boxes: im.boxes.map(({ className, x, y, w, h }) => ({ className, x, y, w, h })) }))

const errorOf = (fn: () => unknown): LabelFileError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof LabelFileError) return error
    throw error
  }
  throw new Error('expected a LabelFileError')
}

describe('COCO', () => {
  it('writes images, annotations and categories (ids from 1, in class order) and reads them back', () => {
    const [file] = writeCoco(set)
    const json = JSON.parse(file.contents)
    expect(json.categories).toEqual([
      { id: 1, name: 'face', supercategory: 'none' },
      { id: 2, name: 'smiling', supercategory: 'none' },
    ])
    expect(json.images[1]).toEqual({ id: 2, file_name: 'sub/b & c.png', width: 640, height: 480 })
    expect(json.annotations[0]).toMatchObject({ id: 1, image_id: 1, category_id: 1, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 })
    const back = parseCoco(file.contents, 'annotations.json')
    expect(plain(back)).toEqual(plain(set))
    expect(back.images[0]).toMatchObject({ width: 100, height: 80 })
    expect(back.classes).toEqual(['face', 'smiling'])
  })

  it('skips crowd regions and ignored annotations: they are not object boxes', () => {
    const text = JSON.stringify({
      images: [{ id: 'x', file_name: 'a.jpg' }],
      annotations: [
        { image_id: 'x', category_id: 1, bbox: [1, 1, 2, 2], iscrowd: 1 },
        { image_id: 'x', category_id: 1, bbox: [1, 1, 2, 2], ignore: true },
        { image_id: 'x', category_id: 1, bbox: [3, 3, 2, 2] },
      ],
      categories: [{ id: 1, name: 'face' }],
    })
    expect(plain(parseCoco(text, 'g.json'))).toEqual([{ file: 'a.jpg', boxes: [{ className: 'face', x: 3, y: 3, w: 2, h: 2 }] }])
  })

  it.each([
    ['{', 'g.json: not valid JSON'],
    ['[]', 'g.json: expected COCO labels (an object with images, annotations, categories), got an array'],
    ['{"images": [], "annotations": []}', 'g.json: categories: missing (expected an array)'],
    [
      '{"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "b.jpg"}], "annotations": [], "categories": []}',
      'g.json: images[1].id: duplicate id 1',
    ],
    [
      '{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [{"image_id": 1, "category_id": 3, "bbox": [1,2,3,4]}], "categories": []}',
      'g.json: annotations[0].category_id: no category with id 3 in categories',
    ],
    [
      '{"images": [{"id": 1, "file_name": "C:\\\\x.jpg"}], "annotations": [], "categories": []}',
      'g.json: images[0].file_name: image path "C:\\\\x.jpg" is absolute',
    ],
  ])('refuses %s', (text, message) => {
    expect(errorOf(() => parseCoco(text, 'g.json')).message).toContain(message)
  })
})

describe('YOLO', () => {
  it('writes classes.txt and one file per image with centre and size as fractions, and reads them back', () => {
    const files = writeYolo(set)
    expect(files.map((f) => f.path)).toEqual(['classes.txt', 'a.txt', 'sub/b & c.txt'])
    expect(files[0].contents).toBe('face\nsmiling\n')
    expect(files[1].contents).toBe('0 0.25 0.5 0.3 0.5\n1 0.5 0.5 1 1\n')
    expect(files[2].contents).toBe('')
    const classes = parseYoloClasses(files[0].contents, 'classes.txt')
    const boxes = parseYolo(files[1].contents, 'a.txt', classes)
    expect(boxes.map(({ className, x, y, w, h }) => [className, x * 100, y * 80, w * 100, h * 80])).toEqual([
      ['face', 10, 20, 30, 40],
      ['smiling', 0, 0, 100, 80],
    ])
  })

  it('refuses two photos that would share a label file', () => {
    const clash: SizedLabelSet = {
      classes: ['face'],
      images: [
        { file: 'a.jpg', width: 1, height: 1, boxes: [] },
        { file: 'a.png', width: 1, height: 1, boxes: [] },
      ],
    }
    expect(() => writeYolo(clash)).toThrow('a.jpg and a.png would share a.txt')
  })

  it.each([
    ['0 0.5 0.5 0.1 0.1 0.2 0.3', 'l.txt:1: expected 5 numbers (class cx cy w h), got 7'],
    ['0.5 0.5 0.5 0.1 0.1', 'l.txt:1: class 0.5 is not in the classes file (0–0)'],
    ['0 0.5 0.5 0.1 NaN', 'l.txt:1: h: expected a number, got "NaN"'],
  ])('refuses %j', (line, message) => {
    expect(errorOf(() => parseYolo(line, 'l.txt', ['face'])).message).toBe(message)
  })

  it('refuses an empty classes file', () => {
    expect(errorOf(() => parseYoloClasses('\n\n', 'classes.txt')).message).toBe('classes.txt: no class names (the file is empty)')
  })
})

describe('Pascal VOC', () => {
  it('writes one XML per image with 1-based corners and reads it back', () => {
    const files = writeVoc(set)
    expect(files.map((f) => f.path)).toEqual(['a.xml', 'sub/b & c.xml'])
    expect(files[0].contents).toContain('<bndbox><xmin>11</xmin><ymin>21</ymin><xmax>41</xmax><ymax>61</ymax></bndbox>')
    expect(files[1].contents).toContain('<filename>sub/b &amp; c.png</filename>')
    const back = files.flatMap((f) => parseVoc(f.contents, f.path).images)
    expect(plain({ images: back })).toEqual(plain(set))
    expect(back[1]).toMatchObject({ width: 640, height: 480 })
  })

  it('treats a size of 0 (written by tools that did not know it) as unknown', () => {
    const xml = '<annotation><filename>a.jpg</filename><size><width>0</width><height>0</height></size></annotation>'
    expect(parseVoc(xml, 'a.xml').images[0]).toMatchObject({ width: undefined, height: undefined })
  })
})

describe('WIDER FACE', () => {
  it('writes a path line, a count and ten numbers a box (a line of zeros for none), and reads it back as faces', () => {
    const [file] = writeWider(set)
    expect(file.contents).toBe('a.jpg\n2\n10 20 30 40 0 0 0 0 0 0\n0 0 100 80 0 0 0 0 0 0\nsub/b & c.png\n0\n0 0 0 0 0 0 0 0 0 0\n')
    expect(plain(parseWider(file.contents, 'w.txt'))).toEqual(
      plain({ images: set.images.map((im) => ({ ...im, boxes: im.boxes.map((b) => ({ ...b, className: 'face' })) })) }),
    )
  })

  it('skips boxes WIDER marks invalid, and tolerates Windows line ends', () => {
    const text = '0--Parade/a.jpg\r\n2\r\n1 2 3 4 0 0 0 0 0 0\r\n5 6 0 0 0 0 0 1 0 0\r\n'
    expect(plain(parseWider(text, 'w.txt'))).toEqual([{ file: '0--Parade/a.jpg', boxes: [{ className: 'face', x: 1, y: 2, w: 3, h: 4 }] }])
  })
})

describe('dlib imglab', () => {
  it('writes boxes on whole pixels, a label only for classes other than face, and reads them back', () => {
    const [file] = writeDlib(set)
    expect(file.contents).toContain("<box top='20' left='10' width='30' height='40'/>")
    expect(file.contents).toContain("<box top='0' left='0' width='100' height='80'><label>smiling</label></box>")
    expect(plain(parseDlib(file.contents, 'd.xml'))).toEqual(plain(set))
  })

  it('rounds corners, not sizes, so a box does not drift', () => {
    const [file] = writeDlib({
      classes: ['face'],
      images: [{ file: 'a.jpg', width: 9, height: 9, boxes: [{ className: 'face', x: 0.4, y: 0.6, w: 2.2, h: 2.2 }] }],
    })
    expect(file.contents).toContain("<box top='1' left='0' width='3' height='2'/>")
  })

  it('skips ignored boxes and keeps no landmarks', () => {
    const xml = `<dataset><images><image file='a.jpg'>
      <box top='1' left='2' width='3' height='4' ignore='1'/>
      <box top='5' left='6' width='7' height='8'><part name='0' x='1' y='1'/></box>
    </image></images></dataset>`
    expect(plain(parseDlib(xml, 'd.xml'))).toEqual([{ file: 'a.jpg', boxes: [{ className: 'face', x: 6, y: 5, w: 7, h: 8 }] }])
  })
})

describe('image paths in label files', () => {
  it.each([
    ['a/./b.jpg', 'a/b.jpg'],
    ['./a.jpg', 'a.jpg'],
    ['a\\b.jpg', 'a/b.jpg'],
    ['a/../b.jpg', 'b.jpg'],
  ])('keeps %j as %j', (raw, normal) => {
    expect(imagePath(raw, { file: 'f' })).toBe(normal)
  })

  it.each(['../a.jpg', '..', 'a/../../b.jpg', '/etc/a.jpg', 'C:\\a.jpg', 'c:a.jpg', '\\\\server\\share\\a.jpg', ''])('refuses %j', (raw) => {
    expect(() => imagePath(raw, { file: 'f', line: 3 })).toThrow(
      /^f:3: (image path .* (points outside the image folder|is absolute)|empty image path)/,
    )
  })
})

describe('command-line options', () => {
  it('turn `import DIR --labels FILE --format F` into import options, and no --labels into none', () => {
    expect(labelsImportOptions({ dir: 'photos', labels: 'a.xml' })).toMatchObject({
      labelsFile: [expect.stringMatching(/\/a\.xml$/)],
      imagesDir: expect.stringMatching(/\/photos$/),
      format: 'auto',
      images: 'import',
    })
    expect(labelsImportOptions({ dir: 'photos', labels: ['a.xml', 'b.xml'], format: 'dlib' })?.labelsFile).toHaveLength(2)
    expect(labelsImportOptions({ dir: 'photos' })).toBeUndefined()
  })

  it('turn `export --format F --out DIR` into export options', () => {
    expect(labelsExportOptions({ format: 'yolo', out: 'o' })).toMatchObject({ format: 'yolo', sources: ['human', 'kindled'], overwrite: false })
    expect(labelsExportOptions({ format: 'coco', out: 'o', sources: 'human', overwrite: true })).toMatchObject({
      sources: ['human'],
      overwrite: true,
    })
  })

  it.each([
    [() => labelsImportOptions({ dir: 'p', labels: 'a', format: 'csv' }), '--format must be auto, coco, yolo, voc, wider, dlib, not "csv"'],
    [() => labelsImportOptions({ dir: 'p', format: 'coco' }), '--format needs --labels FILE'],
    [() => labelsExportOptions({ out: 'o' }), '--format is required'],
    [() => labelsExportOptions({ format: 'auto', out: 'o' }), '--format must be coco'],
    [() => labelsExportOptions({ format: 'voc' }), '--out DIR is required'],
    [() => labelsExportOptions({ format: 'voc', out: 'o', sources: 'human,people' }), '--sources takes human, kindled, predicted, not "people"'],
  ])('refuse bad ones as usage errors (%#)', (fn, message) => {
    expect(fn).toThrow(UsageError)
    expect(fn).toThrow(message)
  })
})
