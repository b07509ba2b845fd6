// Reading a photo the user points at: the checks that keep a bad file from hurting anything (size, pixel count,
// truncation, not an image at all), the content hash that spots duplicates, and the thumbnail, all from one read.
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import sharp, { type Metadata } from 'sharp'

// Decoded pixels are used once per import; libvips' operation cache would only hold memory.
sharp.cache(false)

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp'])
const FORMATS = new Set(['jpeg', 'png', 'webp'])

export interface PhotoLimits {
  /** Width × height above which a photo is refused before it is decoded (decompression bombs). */
  maxPixels: number
  /** File size above which a photo is refused before it is read. */
  maxBytes: number
}

export const DEFAULT_LIMITS: PhotoLimits = { maxPixels: 100_000_000, maxBytes: 256 * 1024 * 1024 }

export const THUMBNAIL_SIZE = 256

export interface Photo {
  sha256: string
  bytes: number
  mtimeMs: number
  /** Size after EXIF orientation is applied: the frame in which boxes are drawn. */
  width: number
  height: number
  format: 'jpeg' | 'png' | 'webp'
}

/** A file that cannot be imported; `message` says why in words the user can act on. */
export class BadPhotoError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BadPhotoError'
  }
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`
const mp = (n: number) => `${(n / 1e6).toFixed(n < 10e6 ? 1 : 0)} MP`

/** Is this a file name the importer considers a photo? (Content is checked later; the name only selects.) */
export const looksLikePhoto = (file: string) => PHOTO_EXTENSIONS.has(path.extname(file).toLowerCase())

/**
 * Read, check and hash a photo, and render its thumbnail. Throws BadPhotoError naming the problem for anything
 * that is not a complete JPEG, PNG or WebP within the limits.
 */
export async function readPhoto(file: string, limits: PhotoLimits = DEFAULT_LIMITS): Promise<{ photo: Photo; thumbnail: Buffer }> {
  const stat = await fs.stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new BadPhotoError(`cannot read: ${describeFsError(e)}`)
  })
  if (!stat.isFile()) throw new BadPhotoError('not a regular file')
  if (stat.size === 0) throw new BadPhotoError('empty file')
  if (stat.size > limits.maxBytes) {
    throw new BadPhotoError(`file is ${mb(stat.size)}, over the ${mb(limits.maxBytes)} limit`)
  }
  const data = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new BadPhotoError(`cannot read: ${describeFsError(e)}`)
  })

  let meta: Metadata
  try {
    // Only the header is parsed here, so no pixel limit yet: the check below gives the clearer message.
    meta = await sharp(data, { limitInputPixels: false }).metadata()
  } catch (e) {
    throw new BadPhotoError(looksLikeText(data) ? 'not an image (it is a text file)' : `not an image (${message(e)})`)
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new BadPhotoError(`unsupported format ${meta.format ?? 'unknown'}: Kindling imports JPEG, PNG and WebP`)
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0)
  if (pixels > limits.maxPixels) {
    throw new BadPhotoError(`image is ${meta.width}×${meta.height} (${mp(pixels)}), over the ${mp(limits.maxPixels)} pixel limit`)
  }

  // Decoding every pixel for the thumbnail is also what proves the file complete: a truncated or corrupt JPEG
  // fails here instead of later, in the middle of training.
  let thumbnail: Buffer
  try {
    thumbnail = await sharp(data, { failOn: 'error', limitInputPixels: limits.maxPixels })
      .rotate() // apply EXIF orientation, so thumbnails and boxes agree with what people see
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 72 })
      .toBuffer()
  } catch (e) {
    throw new BadPhotoError(`truncated or corrupt ${meta.format.toUpperCase()} (${message(e)})`)
  }

  const oriented = meta.autoOrient ?? { width: meta.width!, height: meta.height! }
  return {
    photo: {
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: stat.size,
      mtimeMs: Math.trunc(stat.mtimeMs),
      width: oriented.width,
      height: oriented.height,
      format: meta.format as Photo['format'],
    },
    thumbnail,
  }
}

function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'file not found (moved, or a broken link)'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a folder'
    case 'ELOOP':
      return 'too many levels of symbolic links'
    default:
      return e.code ?? e.message
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim()

/** Printable ASCII/UTF-8 in the first bytes: the file is text, which is the likeliest mistake, so say so. */
function looksLikeText(data: Buffer): boolean {
  const head = data.subarray(0, 512)
  let printable = 0
  for (const byte of head) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127) || byte >= 128) printable++
  return head.length > 0 && printable / head.length > 0.95
}
