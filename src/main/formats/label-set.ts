// The one shape every label format is read into and written from. Boxes are pixels, top-left origin (as the store
// keeps them); image paths are relative to the image folder, with forward slashes, so a label set means the same thing
// on every machine and can never name a file outside that folder.
import path from 'node:path'

/** Where in a label file something came from: a line (text formats, XML) and/or a field path (JSON, XML). */
export interface Origin {
  file: string
  line?: number
  field?: string
}

export interface LabelBox {
  className: string
  x: number
  y: number
  w: number
  h: number
  origin?: Origin
}

export interface LabelImage {
  /** Relative to the image folder, `/`-separated, never absolute and never leaving the folder. */
  file: string
  /** The size the label file claims, if it says (YOLO and WIDER do not); the photo itself has the last word. */
  width?: number
  height?: number
  boxes: LabelBox[]
  /** Boxes are fractions of the image size (YOLO): the importer scales them once it knows the photo's size. */
  normalized?: boolean
  origin?: Origin
}

export interface LabelSet {
  images: LabelImage[]
  /** Class names in the file's own order, where it has one (YOLO, COCO): new classes join the project in this order. */
  classes?: string[]
}

/** What writers need: every image's size (YOLO normalises by it; VOC and COCO record it). */
export type SizedLabelImage = LabelImage & { width: number; height: number }
export interface SizedLabelSet {
  images: SizedLabelImage[]
  /** Class names in the project's order: YOLO's class indices and COCO's category ids follow it. */
  classes: string[]
}

/** A file a writer produces, relative to the export folder. */
export interface OutputFile {
  path: string
  contents: string
}

export const FORMAT_NAMES = ['coco', 'yolo', 'voc', 'wider', 'dlib'] as const
export type FormatName = (typeof FORMAT_NAMES)[number]

/** A label file that cannot be used, naming the file and where in it: `labels.txt:12: expected 10 numbers, got 4`. */
export class LabelFileError extends Error {
  constructor(
    readonly origin: Origin,
    readonly reason: string,
  ) {
    super(`${where(origin)}: ${reason}`)
    this.name = 'LabelFileError'
  }
}

/** `file:12`, `file: annotations[3].bbox`, or `file:9: image[1]/box[0]` (XML has both). */
export function where(o: Origin): string {
  const line = o.line === undefined ? '' : `:${o.line}`
  return o.field ? `${o.file}${line}: ${o.field}` : `${o.file}${line}`
}

/**
 * The image path a label names, made relative and `/`-separated, or a LabelFileError if it is absolute or climbs out
 * of the image folder: a label file is data someone else may have written, and must not make the studio read (or
 * attach labels to) files elsewhere on the machine.
 */
export function imagePath(raw: string, origin: Origin): string {
  const trimmed = raw.trim()
  if (!trimmed) throw new LabelFileError(origin, 'empty image path')
  if (path.posix.isAbsolute(trimmed) || path.win32.isAbsolute(trimmed) || /^[a-z]:/i.test(trimmed)) {
    throw new LabelFileError(origin, `image path ${JSON.stringify(trimmed)} is absolute: paths must be relative to the image folder`)
  }
  const normal = path.posix.normalize(trimmed.replace(/\\/g, '/'))
  if (normal === '..' || normal.startsWith('../')) {
    throw new LabelFileError(origin, `image path ${JSON.stringify(trimmed)} points outside the image folder`)
  }
  return normal.replace(/^\.\//, '')
}

/** A finite number from a token, or a LabelFileError saying which token (`what`, unless the origin's field says) was not one. */
export function numberAt(token: string | undefined, what: string, origin: Origin): number {
  const n = token === undefined || token.trim() === '' ? NaN : Number(token)
  if (!Number.isFinite(n)) {
    const got = `expected a number, got ${token === undefined ? 'nothing' : JSON.stringify(token)}`
    throw new LabelFileError(origin, what ? `${what}: ${got}` : got)
  }
  return n
}

/** Numbers for files whose readers expect integers (dlib, WIDER, VOC), and compact decimals elsewhere. */
export const fmt = (n: number, decimals = 2): string => String(Number(n.toFixed(decimals)))

/** Whole-pixel corners for the integer formats: rounding corners (not sizes) keeps a box from drifting. */
export function integerBox(b: { x: number; y: number; w: number; h: number }) {
  const x1 = Math.round(b.x)
  const y1 = Math.round(b.y)
  return { x: x1, y: y1, w: Math.round(b.x + b.w) - x1, h: Math.round(b.y + b.h) - y1 }
}

/** Lines of a text file, numbered from 1, with Windows line ends tolerated. */
export const linesOf = (text: string): string[] => text.replace(/^\uFEFF/, '').split(/\r?\n/)

/** Replace a photo extension: `a/b.jpg` → `a/b.txt`. */
export const withExtension = (file: string, ext: string): string => file.slice(0, file.length - path.posix.extname(file).length) + ext
