// YOLO (darknet / ultralytics): a classes file (`classes.txt` or `obj.names`, one name a line) and a `.txt` per image,
// a `class cx cy w h` line per box in fractions of the image size (an empty file: no boxes). Every other `.txt` under
// the classes file's folder names its image by its relative path, so darknet's layout (labels beside the photos) and
// ultralytics' (labels/train/x.txt for images/train/x.jpg) both work. Paths come from file names, never from contents,
// so a YOLO file cannot point outside the image folder.
import fs from 'node:fs/promises'
import path from 'node:path'
import { isFolder, readLabelFile, type ImageFolder, type LabelFormat } from './format.js'
import {
  fmt,
  LabelFileError,
  linesOf,
  numberAt,
  withExtension,
  type LabelBox,
  type LabelImage,
  type LabelSet,
  type OutputFile,
  type SizedLabelSet,
} from './label-set.js'

export const CLASS_FILES = ['classes.txt', 'obj.names']

/** The classes file: one name a line, in index order. */
export function parseClasses(text: string, file: string): string[] {
  const lines = linesOf(text)
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop()
  if (lines.length === 0) throw new LabelFileError({ file }, 'no class names (the file is empty)')
  return lines.map((raw, n) => {
    const name = raw.trim()
    if (!name) throw new LabelFileError({ file, line: n + 1 }, 'empty class name')
    const first = lines.findIndex((l) => l.trim() === name)
    if (first !== n) throw new LabelFileError({ file, line: n + 1 }, `class ${JSON.stringify(name)} is already on line ${first + 1}`)
    return name
  })
}

/** One image's label file. Boxes come back as fractions of the image size (see LabelImage.normalized). */
export function parse(text: string, file: string, classes: string[]): LabelBox[] {
  const boxes: LabelBox[] = []
  linesOf(text).forEach((raw, n) => {
    const line = raw.trim()
    if (!line) return
    const origin = { file, line: n + 1 }
    const tokens = line.split(/\s+/)
    // Segmentation labels (class + polygon) and keypoint labels have more numbers; they are not boxes.
    if (tokens.length !== 5) throw new LabelFileError(origin, `expected 5 numbers (class cx cy w h), got ${tokens.length}`)
    const index = numberAt(tokens[0], 'class', origin)
    if (!Number.isInteger(index) || index < 0 || index >= classes.length) {
      throw new LabelFileError(origin, `class ${tokens[0]} is not in the classes file (0–${classes.length - 1})`)
    }
    const [cx, cy, w, h] = ['cx', 'cy', 'w', 'h'].map((what, k) => numberAt(tokens[k + 1], what, origin))
    boxes.push({ className: classes[index], x: cx - w / 2, y: cy - h / 2, w, h, origin })
  })
  return boxes
}

export function write(set: SizedLabelSet): OutputFile[] {
  const index = new Map(set.classes.map((name, i) => [name, i]))
  const files: OutputFile[] = [{ path: 'classes.txt', contents: `${set.classes.join('\n')}\n` }]
  const seen = new Map<string, string>()
  for (const im of set.images) {
    const out = withExtension(im.file, '.txt')
    const other = seen.get(out)
    if (other) throw new Error(`YOLO names label files after their images, and ${other} and ${im.file} would share ${out}`)
    seen.set(out, im.file)
    const lines = im.boxes.map((b) => {
      const n = (v: number, size: number) => fmt(v / size, 6)
      return `${index.get(b.className)} ${n(b.x + b.w / 2, im.width)} ${n(b.y + b.h / 2, im.height)} ${n(b.w, im.width)} ${n(b.h, im.height)}`
    })
    files.push({ path: out, contents: lines.length ? `${lines.join('\n')}\n` : '' })
  }
  return files
}

async function classesFileAt(labelsPath: string): Promise<string> {
  if (!(await isFolder(labelsPath))) return labelsPath
  for (const name of CLASS_FILES) {
    const candidate = path.join(labelsPath, name)
    if (
      await fs.stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate
  }
  throw new LabelFileError({ file: labelsPath }, `no classes file (${CLASS_FILES.join(' or ')}) in this folder`)
}

async function load(labelsPath: string, folder: ImageFolder): Promise<LabelSet> {
  const classesFile = await classesFileAt(labelsPath)
  const classes = parseClasses(await readLabelFile(classesFile), classesFile)
  const labelsDir = path.dirname(path.resolve(classesFile))

  const photosByStem = new Map<string, string[]>()
  for (const photo of await folder.photos()) {
    const stem = withExtension(photo, '')
    photosByStem.set(stem, [...(photosByStem.get(stem) ?? []), photo])
  }
  const entries = await fs.readdir(labelsDir, { recursive: true, withFileTypes: true })
  const labelFiles = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.txt') && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => f !== path.resolve(classesFile) && !CLASS_FILES.includes(path.basename(f)))
    .sort()

  const images: LabelImage[] = []
  for (const file of labelFiles) {
    const stem = withExtension(path.relative(labelsDir, file).split(path.sep).join('/'), '')
    const photos = photosByStem.get(stem) ?? []
    if (photos.length !== 1) {
      throw new LabelFileError(
        { file },
        photos.length === 0
          ? `no photo named ${stem}.jpg (or .jpeg, .png, .webp) in ${folder.dir}`
          : `more than one photo is named ${stem} (${photos.join(', ')}): YOLO cannot tell which this file labels`,
      )
    }
    images.push({ file: photos[0], boxes: parse(await readLabelFile(file), file, classes), normalized: true, origin: { file } })
  }
  return { images, classes }
}

export const yolo: LabelFormat = { name: 'yolo', load, write, written: 'classes.txt' }
