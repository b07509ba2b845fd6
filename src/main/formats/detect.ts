// Which format a label file is in, for `format: 'auto'`: by extension first, then by a look at the start of the file
// (dlib and VOC are both XML; WIDER and a YOLO classes file are both text).
import fs from 'node:fs/promises'
import path from 'node:path'
import { coco } from './coco.js'
import { dlib } from './dlib.js'
import { isFolder, readLabelFile, type LabelFormat } from './format.js'
import { FORMAT_NAMES, LabelFileError, type FormatName } from './label-set.js'
import { voc } from './voc.js'
import { wider } from './wider.js'
import { CLASS_FILES, yolo } from './yolo.js'

export const FORMATS: Record<FormatName, LabelFormat> = { coco, yolo, voc, wider, dlib }

export const isFormatName = (s: string): s is FormatName => (FORMAT_NAMES as readonly string[]).includes(s)

export async function detectFormat(labelsPath: string): Promise<FormatName> {
  const unsure = (why: string): never => {
    throw new LabelFileError({ file: labelsPath }, `cannot tell the label format (${why}): name it with --format ${FORMAT_NAMES.join('|')}`)
  }
  if (await isFolder(labelsPath)) {
    const names = await fs.readdir(labelsPath)
    if (names.some((n) => CLASS_FILES.includes(n))) return 'yolo'
    if (names.some((n) => n.toLowerCase().endsWith('.xml'))) return 'voc'
    return unsure(`a folder with no ${CLASS_FILES.join(' or ')} and no .xml files`)
  }
  const name = path.basename(labelsPath).toLowerCase()
  const ext = path.extname(name)
  if (ext === '.json') return 'coco'
  if (ext === '.names' || CLASS_FILES.includes(name)) return 'yolo'
  if (/^wider_face_.*bbx_gt\.txt$/.test(name)) return 'wider'
  const head = (await readLabelFile(labelsPath)).slice(0, 4096)
  if (ext === '.xml') {
    const root = /<(?![?!])\s*([A-Za-z_][-\w.:]*)/.exec(head)?.[1]
    if (root === 'dataset') return 'dlib'
    if (root === 'annotation') return 'voc'
    return unsure(`XML whose root is <${root ?? '?'}>, neither dlib's <dataset> nor VOC's <annotation>`)
  }
  if (ext === '.txt') {
    const [first, second] = head.split(/\r?\n/).map((l) => l.trim())
    if (/\.(jpe?g|png|webp|bmp)$/i.test(first ?? '') && /^\d+$/.test(second ?? '')) return 'wider'
    return unsure('a .txt file that is neither WIDER FACE nor a YOLO classes file')
  }
  return unsure(`unknown extension ${ext || '(none)'}`)
}
