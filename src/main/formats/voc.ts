// Pascal VOC XML: one <annotation> per image, with <filename> (the image's path relative to the image folder) and an
// <object> (<name>, <bndbox>) per box. Corners are 1-based, as the devkit and ultralytics' voc2yolo read them:
// x = xmin − 1, w = xmax − xmin. labelImg's <path> (absolute, on the labeller's machine) is ignored.
import fs from 'node:fs/promises'
import path from 'node:path'
import { isFolder, readLabelBytes, type LabelFormat } from './format.js'
import {
  imagePath,
  integerBox,
  LabelFileError,
  numberAt,
  withExtension,
  type LabelImage,
  type LabelSet,
  type OutputFile,
  type SizedLabelSet,
} from './label-set.js'
import { childrenNamed, decodeXml, escapeXml, parseXml, type XmlElement } from './xml.js'

/** One VOC file: a LabelSet of one image. */
export function parse(text: string, file: string): LabelSet {
  const root = parseXml(text, file)
  if (root.name !== 'annotation') {
    throw new LabelFileError({ file, line: root.line }, `expected a Pascal VOC <annotation>, got <${root.name}>`)
  }
  const one = (parent: XmlElement, name: string, field: string): XmlElement => {
    const found = childrenNamed(parent, name)
    if (found.length === 0) throw new LabelFileError({ file, line: parent.line, field }, `missing <${name}>`)
    return found[0]
  }
  const num = (parent: XmlElement, name: string, field: string) => {
    const el = one(parent, name, field)
    return numberAt(el.text, '', { file, line: el.line, field })
  }
  const filename = one(root, 'filename', 'annotation/filename')
  const sizeEl = childrenNamed(root, 'size')[0]
  const image: LabelImage = {
    file: imagePath(filename.text, { file, line: filename.line, field: 'annotation/filename' }),
    width: sizeEl && num(sizeEl, 'width', 'annotation/size/width'),
    height: sizeEl && num(sizeEl, 'height', 'annotation/size/height'),
    boxes: [],
    origin: { file, line: root.line },
  }
  // Some tools write 0 for a size they did not know; that is "unknown", not a 0-pixel photo.
  if (image.width === 0 || image.height === 0) image.width = image.height = undefined
  childrenNamed(root, 'object').forEach((obj, k) => {
    const field = `annotation/object[${k}]`
    const name = one(obj, 'name', `${field}/name`).text
    if (!name) throw new LabelFileError({ file, line: obj.line, field: `${field}/name` }, 'empty class name')
    const box = one(obj, 'bndbox', `${field}/bndbox`)
    const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((c) => num(box, c, `${field}/bndbox/${c}`))
    image.boxes.push({
      className: name,
      x: xmin - 1,
      y: ymin - 1,
      w: xmax - xmin,
      h: ymax - ymin,
      origin: { file, line: box.line, field: `${field}/bndbox` },
    })
  })
  return { images: [image] }
}

export function write(set: SizedLabelSet): OutputFile[] {
  return set.images.map((im) => {
    const objects = im.boxes.map((b) => {
      const { x, y, w, h } = integerBox(b)
      return [
        '  <object>',
        `    <name>${escapeXml(b.className)}</name>`,
        '    <pose>Unspecified</pose>',
        '    <truncated>0</truncated>',
        '    <difficult>0</difficult>',
        `    <bndbox><xmin>${x + 1}</xmin><ymin>${y + 1}</ymin><xmax>${x + w + 1}</xmax><ymax>${y + h + 1}</ymax></bndbox>`,
        '  </object>',
      ].join('\n')
    })
    const contents = [
      '<annotation>',
      `  <folder>${escapeXml(path.posix.dirname(im.file))}</folder>`,
      `  <filename>${escapeXml(im.file)}</filename>`,
      `  <size><width>${im.width}</width><height>${im.height}</height><depth>3</depth></size>`,
      '  <segmented>0</segmented>',
      ...objects,
      '</annotation>',
      '',
    ].join('\n')
    return { path: withExtension(im.file, '.xml'), contents }
  })
}

/** A VOC XML file, or a folder of them (searched recursively: VOC's Annotations/ folder). */
async function load(labelsPath: string): Promise<LabelSet> {
  const files = (await isFolder(labelsPath)) ? await xmlFilesUnder(labelsPath) : [labelsPath]
  if (files.length === 0) throw new LabelFileError({ file: labelsPath }, 'no .xml files in this folder')
  const images: LabelImage[] = []
  for (const file of files) images.push(...parse(decodeXml(await readLabelBytes(file)), file).images)
  return { images }
}

export const voc: LabelFormat = { name: 'voc', load, write, written: '.' }

async function xmlFilesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml') && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
}
