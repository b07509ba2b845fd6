// dlib's imglab XML: <dataset><images><image file width height><box top left width height [ignore]>[<label>]. A box
// without a label is a `face` (dlib's face sets carry none); `ignore` boxes are don't-care regions, skipped; landmarks
// (<part>) are not kept. Boxes are written on whole pixels: dlib reads integers.
import { readLabelBytes, type LabelFormat } from './format.js'
import {
  imagePath,
  integerBox,
  LabelFileError,
  numberAt,
  type LabelImage,
  type LabelSet,
  type OutputFile,
  type SizedLabelSet,
} from './label-set.js'
import { childrenNamed, decodeXml, escapeXml, parseXml } from './xml.js'

export const DEFAULT_CLASS = 'face'

export function parse(text: string, file: string): LabelSet {
  const root = parseXml(text, file)
  if (root.name !== 'dataset') {
    throw new LabelFileError({ file, line: root.line }, `expected a dlib imglab <dataset>, got <${root.name}>`)
  }
  const images: LabelImage[] = []
  childrenNamed(root, 'images').forEach((list) =>
    childrenNamed(list, 'image').forEach((el) => {
      const field = `image[${images.length}]`
      const origin = { file, line: el.line, field }
      if (el.attributes.file === undefined) throw new LabelFileError({ ...origin, field: `${field}@file` }, 'missing attribute file')
      const size = (name: 'width' | 'height') =>
        el.attributes[name] === undefined ? undefined : numberAt(el.attributes[name], '', { ...origin, field: `${field}@${name}` })
      const image: LabelImage = {
        file: imagePath(el.attributes.file, { ...origin, field: `${field}@file` }),
        width: size('width'),
        height: size('height'),
        boxes: [],
        origin,
      }
      childrenNamed(el, 'box').forEach((box, k) => {
        const boxField = `${field}/box[${k}]`
        const get = (name: string) => {
          const o = { file, line: box.line, field: `${boxField}@${name}` }
          if (box.attributes[name] === undefined) throw new LabelFileError(o, `missing attribute ${name}`)
          return numberAt(box.attributes[name], '', o)
        }
        const [top, left, width, height] = ['top', 'left', 'width', 'height'].map(get)
        if (box.attributes.ignore !== undefined && box.attributes.ignore !== '0') return
        const label = childrenNamed(box, 'label')[0]?.text
        image.boxes.push({
          className: label || DEFAULT_CLASS,
          x: left,
          y: top,
          w: width,
          h: height,
          origin: { file, line: box.line, field: boxField },
        })
      })
      images.push(image)
    }),
  )
  return { images }
}

export function write(set: SizedLabelSet): OutputFile[] {
  const lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<dataset>', '<name>Kindling Studio export</name>', '<images>']
  for (const im of set.images) {
    lines.push(`  <image file='${escapeXml(im.file)}' width='${im.width}' height='${im.height}'>`)
    for (const b of im.boxes) {
      const { x, y, w, h } = integerBox(b)
      const open = `    <box top='${y}' left='${x}' width='${w}' height='${h}'`
      lines.push(b.className === DEFAULT_CLASS ? `${open}/>` : `${open}><label>${escapeXml(b.className)}</label></box>`)
    }
    lines.push('  </image>')
  }
  lines.push('</images>', '</dataset>')
  return [{ path: 'labels.xml', contents: `${lines.join('\n')}\n` }]
}

export const dlib: LabelFormat = {
  name: 'dlib',
  load: async (labelsPath) => parse(decodeXml(await readLabelBytes(labelsPath)), labelsPath),
  write,
  written: 'labels.xml',
}
