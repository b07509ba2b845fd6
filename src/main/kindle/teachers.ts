// Teachers: pretrained face detectors that kindle a project's first labels. Each takes decoded pixels and returns
// boxes in those pixels' frame with scores; the helpers here decode a photo as the store sees it (EXIF-rotated), zoom
// out (pad) to find faces that fill the photo, and merge passes with NMS.
import * as tf from '@tensorflow/tfjs-core'
import sharp from 'sharp'
import { cornersOf, iou as cornersIou } from '../../shared/boxes.js'

sharp.cache(false)

/** A face found by a teacher: pixels, top-left origin, in the frame of the image it was given. */
export interface FaceBox {
  x: number
  y: number
  w: number
  h: number
  score: number
}

/** RGB pixels, row-major, 3 bytes a pixel. */
export interface Pixels {
  data: Uint8Array
  width: number
  height: number
}

export interface DetectOptions {
  /** Drop faces scoring below this (0–1). */
  minScore: number
}

export interface Teacher {
  /** Stable name users type (`--teacher`), stored on every box it kindles. */
  readonly name: string
  /** Model and package version, stored on every box: kindling again with a newer teacher redoes the image. */
  readonly version: string
  detect(image: Pixels, options: DetectOptions): Promise<FaceBox[]>
}

/** The face-expression net's smile signal for one face. */
export interface SmileScorer {
  readonly name: string
  readonly version: string
  /** The `happy` probability of each face (same order). */
  happiness(image: Pixels, faces: FaceBox[]): Promise<number[]>
}

/** Photos larger than this (longest side) are shrunk before detection; the teachers resize to ≤ 608 px anyway. */
export const MAX_DETECT_SIDE = 1280

/**
 * Decode a photo to RGB with EXIF orientation applied (the frame the store's width/height and boxes live in), shrunk
 * to at most `maxSide`. `scale` maps the returned pixels back to the photo: photoX = x * scale.
 */
export async function readPixels(file: string, maxSide = MAX_DETECT_SIDE): Promise<Pixels & { scale: number }> {
  const image = sharp(file, { failOn: 'truncated' }).rotate()
  const { width = 0, height = 0, orientation } = await sharp(file).metadata()
  const [w, h] = orientation && orientation >= 5 ? [height, width] : [width, height]
  const factor = Math.max(w, h) > maxSide ? maxSide / Math.max(w, h) : 1
  if (factor < 1) image.resize({ width: Math.max(1, Math.round(w * factor)), height: Math.max(1, Math.round(h * factor)), fit: 'fill' })
  const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`)
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    scale: w / info.width,
  }
}

/** The pixels as an int32 [height, width, 3] tensor (what face-api's nets take). The caller disposes it. */
export function toTensor(image: Pixels): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32')
}

/**
 * Pad the image by `fraction` of its size (half on each side) with mid-grey. A face that fills a tight crop looks, to
 * a detector trained on scenes, too big to be a face; zoomed out it is an ordinary one.
 */
export function padPixels(image: Pixels, fraction: number): { image: Pixels; dx: number; dy: number } {
  const dx = Math.round((image.width * fraction) / 2)
  const dy = Math.round((image.height * fraction) / 2)
  const width = image.width + 2 * dx
  const height = image.height + 2 * dy
  const data = new Uint8Array(width * height * 3).fill(128)
  const row = image.width * 3
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * row, (y + 1) * row), ((y + dy) * width + dx) * 3)
  }
  return { image: { data, width, height }, dx, dy }
}

export const iou = (a: FaceBox, b: FaceBox): number => cornersIou(cornersOf(a), cornersOf(b))

/** Greedy NMS: highest score first, dropping any box overlapping a kept one by more than `threshold`. */
export function nms(boxes: FaceBox[], threshold = 0.5): FaceBox[] {
  const kept: FaceBox[] = []
  for (const b of [...boxes].sort((p, q) => q.score - p.score)) {
    if (kept.every((k) => iou(k, b) <= threshold)) kept.push(b)
  }
  return kept
}

/** Clip a box to the image; null if nothing is left. */
export function clip(b: FaceBox, width: number, height: number): FaceBox | null {
  const x0 = Math.max(0, b.x)
  const y0 = Math.max(0, b.y)
  const x1 = Math.min(width, b.x + b.w)
  const y1 = Math.min(height, b.y + b.h)
  if (x1 - x0 < 1 || y1 - y0 < 1) return null
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0, score: b.score }
}

export interface KindleDetectOptions extends DetectOptions {
  /**
   * Zoom-out padding as a fraction of the photo's size (0 = off). When on, the photo is also detected padded and the
   * two passes are merged with NMS.
   */
  zoomOut: number
  /**
   * When to add the zoomed-out pass: for every photo ('always', twice the cost), only where the plain pass found no
   * face ('no-face'), or there and where it found a big face ('big-face', the default): measured on GENKI, a face
   * whose side is ≥ 0.4 of the photo's shorter side is found but badly placed (IoU < 0.5) unless zoomed out.
   */
  zoomOutWhen: ZoomOutWhen
}

export type ZoomOutWhen = 'always' | 'no-face' | 'big-face'

/** A face at least this fraction of the photo's shorter side is "big": the teacher places it better zoomed out. */
export const BIG_FACE = 0.4

function needsZoomOut(found: FaceBox[], image: Pixels, when: ZoomOutWhen): boolean {
  if (when === 'always' || found.length === 0) return true
  if (when === 'no-face') return false
  const short = Math.min(image.width, image.height)
  return found.some((f) => Math.max(f.w, f.h) >= BIG_FACE * short)
}

/** Detect on the photo, and (if asked) on the zoomed-out photo too; boxes in the photo's frame, merged, clipped. */
export async function detectFaces(teacher: Teacher, image: Pixels, options: KindleDetectOptions): Promise<FaceBox[]> {
  const found = await teacher.detect(image, options)
  if (options.zoomOut > 0 && needsZoomOut(found, image, options.zoomOutWhen)) {
    const padded = padPixels(image, options.zoomOut)
    for (const b of await teacher.detect(padded.image, options)) {
      found.push({ ...b, x: b.x - padded.dx, y: b.y - padded.dy })
    }
  }
  return nms(found.flatMap((b) => clip(b, image.width, image.height) ?? []), 0.5)
}
