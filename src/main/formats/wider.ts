// WIDER FACE's `wider_face_{train,val}_bbx_gt.txt`: for each image a path line (relative to WIDER_*/images), a count
// line, then that many `x y w h blur expression illumination invalid occlusion pose` lines; a count of 0 is followed
// by one line of zeros. WIDER is face-only: every box is a `face`, and on export every box is written, whatever its
// class. Boxes WIDER itself marks invalid (`invalid` = 1) are skipped, as WIDER's own evaluation does.
import { readLabelFile, type LabelFormat } from './format.js'
import {
  imagePath,
  integerBox,
  LabelFileError,
  linesOf,
  numberAt,
  type LabelImage,
  type LabelSet,
  type OutputFile,
  type SizedLabelSet,
} from './label-set.js'

const FIELDS = ['x', 'y', 'w', 'h', 'blur', 'expression', 'illumination', 'invalid', 'occlusion', 'pose']

export function parse(text: string, file: string): LabelSet {
  const lines = linesOf(text)
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop()
  const images: LabelImage[] = []
  let n = 0 // index into lines; line numbers are n + 1
  let lastCount = 0
  const at = (k: number) => ({ file, line: k + 1 })
  while (n < lines.length) {
    if (!lines[n].trim()) {
      n++
      continue
    }
    // A row of numbers where a path belongs means the previous image's count was too small.
    if (/^[-+\d.eE\s]+$/.test(lines[n])) {
      const previous = images[images.length - 1]
      throw new LabelFileError(
        at(n),
        `expected an image path, got a row of numbers` + (previous ? ` (${previous.file} says ${boxes(lastCount)}: is its count wrong?)` : ''),
      )
    }
    const image: LabelImage = { file: imagePath(lines[n], at(n)), boxes: [], origin: at(n) }
    n++
    if (n >= lines.length) throw new LabelFileError(at(n - 1), `${image.file} has no box count line after it`)
    const countText = lines[n].trim()
    if (!/^\d+$/.test(countText)) {
      throw new LabelFileError(at(n), `expected the number of boxes of ${image.file}, got ${JSON.stringify(countText)}`)
    }
    const count = Number(countText)
    lastCount = count
    n++
    // WIDER writes one all-zero line after a count of 0, so a reader that always reads max(count, 1) lines stays in step.
    const rows = Math.max(count, 1)
    for (let r = 0; r < rows; r++, n++) {
      if (n >= lines.length) {
        throw new LabelFileError(at(n - 1), `${image.file} says ${boxes(count)} but the file ends after ${r}`)
      }
      const tokens = lines[n].trim().split(/\s+/).filter(Boolean)
      if (tokens.length !== FIELDS.length) {
        const hint = looksLikePath(tokens) ? ` (the count line above says ${boxes(count)}: is it wrong?)` : ''
        throw new LabelFileError(at(n), `expected ${FIELDS.length} numbers, got ${tokens.length}${hint}`)
      }
      const [x, y, w, h, , , , invalid] = tokens.map((t, k) => numberAt(t, FIELDS[k], at(n)))
      if (count === 0 || invalid === 1) continue
      image.boxes.push({ className: 'face', x, y, w, h, origin: at(n) })
    }
    images.push(image)
  }
  return { images }
}

const boxes = (n: number) => `${n} box${n === 1 ? '' : 'es'}`

const looksLikePath = (tokens: string[]) => tokens.length === 1 && /\.[a-z]{3,4}$/i.test(tokens[0])

export function write(set: SizedLabelSet): OutputFile[] {
  const out: string[] = []
  for (const im of set.images) {
    out.push(im.file, String(im.boxes.length))
    if (im.boxes.length === 0) out.push('0 0 0 0 0 0 0 0 0 0')
    for (const b of im.boxes) {
      const { x, y, w, h } = integerBox(b)
      out.push(`${x} ${y} ${w} ${h} 0 0 0 0 0 0`)
    }
  }
  return [{ path: 'wider_face_kindling_bbx_gt.txt', contents: `${out.join('\n')}\n` }]
}

export const wider: LabelFormat = {
  name: 'wider',
  load: async (labelsPath) => parse(await readLabelFile(labelsPath), labelsPath),
  write,
  written: 'wider_face_kindling_bbx_gt.txt',
}
