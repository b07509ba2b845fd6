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

/** The box whose corners are the `weight`-weighted means of `boxes`' corners; null when the weights sum to 0. */
export function weightedCorners<B extends FaceBox>(boxes: readonly B[], weight: (b: B) => number): Omit<FaceBox, 'score'> | null {
  let sw = 0
  let x0 = 0
  let y0 = 0
  let x1 = 0
  let y1 = 0
  for (const b of boxes) {
    const w = weight(b)
    sw += w
    x0 += w * b.x
    y0 += w * b.y
    x1 += w * (b.x + b.w)
    y1 += w * (b.y + b.h)
  }
  return sw > 0 ? { x: x0 / sw, y: y0 / sw, w: (x1 - x0) / sw, h: (y1 - y0) / sw } : null
}

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
  /** Tiled passes (zoom in) for small faces in big photos; default 'off' here. */
  tiles?: Tiles
  /** The teacher's input side in pixels ('auto' tiling compares the photo with it); default 512. */
  inputSize?: number
}

export type ZoomOutWhen = 'always' | 'no-face' | 'big-face'

/**
 * Tiled kindling (zoom in) for small faces in big photos: 'off'; N (2–4) tiles every photo in an N×N grid; 'auto'
 * tiles (2×2) only a photo whose longer side is at least AUTO_TILE_FACTOR × the teacher's input size.
 */
export type Tiles = 'off' | 'auto' | number

/** 'auto' tiles a photo whose longer side (as decoded, ≤ MAX_DETECT_SIDE) is at least this many teacher inputs. */
export const AUTO_TILE_FACTOR = 2.5
/** Neighbouring tiles share this fraction of a tile's side. */
export const TILE_OVERLAP = 0.2
export const MAX_TILES = 4

/** A tile of the photo: integer pixels, top-left origin. */
export interface Tile {
  x: number
  y: number
  w: number
  h: number
}

/** How many tiles a side for this photo (1: no tiling). */
export function tilesFor(tiles: Tiles, width: number, height: number, inputSize: number): number {
  if (tiles === 'off') return 1
  if (tiles === 'auto') return Math.max(width, height) >= AUTO_TILE_FACTOR * inputSize ? 2 : 1
  return tiles
}

/** Split `length` pixels into n spans of equal size overlapping by `overlap` of a span: [start, size][]. */
function spans(length: number, n: number, overlap: number): [number, number][] {
  if (n <= 1) return [[0, length]]
  const size = Math.min(length, Math.ceil(length / (n - (n - 1) * overlap)))
  const step = (length - size) / (n - 1)
  return Array.from({ length: n }, (_, i) => [Math.round(i * step), size])
}

/** An n×n grid of tiles covering the photo, neighbours overlapping by `overlap` of a tile's side; row by row. */
export function tileGrid(width: number, height: number, n: number, overlap = TILE_OVERLAP): Tile[] {
  const xs = spans(width, n, overlap)
  const ys = spans(height, n, overlap)
  return ys.flatMap(([y, h]) => xs.map(([x, w]) => ({ x, y, w, h })))
}

/** The pixels of one tile (a copy). */
export function cropPixels(image: Pixels, t: Tile): Pixels {
  const data = new Uint8Array(t.w * t.h * 3)
  const row = image.width * 3
  for (let y = 0; y < t.h; y++) {
    const from = (t.y + y) * row + t.x * 3
    data.set(image.data.subarray(from, from + t.w * 3), y * t.w * 3)
  }
  return { data, width: t.w, height: t.h }
}

/** A box reaching within this many pixels of a tile edge inside the photo is cut by it. */
export const TILE_EDGE_MARGIN = 2

/**
 * Map a tile's boxes to the photo's frame; `cut` marks those touching an edge of the tile that lies inside the photo
 * (the face may go on beyond it: another tile or the plain pass may hold it whole).
 */
export function mapTileBoxes(
  boxes: FaceBox[],
  t: Tile,
  width: number,
  height: number,
  margin = TILE_EDGE_MARGIN,
): (FaceBox & { cut: boolean })[] {
  return boxes.map((b) => {
    const cut =
      (t.x > 0 && b.x <= margin) ||
      (t.y > 0 && b.y <= margin) ||
      (t.x + t.w < width && b.x + b.w >= t.w - margin) ||
      (t.y + t.h < height && b.y + b.h >= t.h - margin)
    return { x: b.x + t.x, y: b.y + t.y, w: b.w, h: b.h, score: b.score, cut }
  })
}

/** The part of `a`'s area inside `b`. */
function coveredBy(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? (w * h) / (a.w * a.h) : 0
}

/**
 * Drop the cut boxes that another, whole box (from another tile or another pass) covers by half or more: that one
 * holds the face whole. A cut box nobody else saw is kept.
 */
export function dropCutBoxes(whole: FaceBox[], tiled: (FaceBox & { cut: boolean })[]): FaceBox[] {
  const others = [...whole, ...tiled.filter((b) => !b.cut)]
  return tiled.filter((b) => !b.cut || !others.some((o) => coveredBy(b, o) >= 0.5)).map(({ cut: _, ...b }) => b)
}

/** A face at least this fraction of the photo's shorter side is "big": the teacher places it better zoomed out. */
export const BIG_FACE = 0.4

function needsZoomOut(found: FaceBox[], image: Pixels, when: ZoomOutWhen): boolean {
  if (when === 'always' || found.length === 0) return true
  if (when === 'no-face') return false
  const short = Math.min(image.width, image.height)
  return found.some((f) => Math.max(f.w, f.h) >= BIG_FACE * short)
}

/**
 * Detect on the photo, and (if asked) on the zoomed-out photo and on tiles of it too; boxes in the photo's frame,
 * tile boxes cut by a tile edge dropped where another box holds the face whole, merged with NMS, clipped.
 */
export async function detectFaces(teacher: Teacher, image: Pixels, options: KindleDetectOptions): Promise<FaceBox[]> {
  const found = await teacher.detect(image, options)
  if (options.zoomOut > 0 && needsZoomOut(found, image, options.zoomOutWhen)) {
    const padded = padPixels(image, options.zoomOut)
    for (const b of await teacher.detect(padded.image, options)) {
      found.push({ ...b, x: b.x - padded.dx, y: b.y - padded.dy })
    }
  }
  const n = tilesFor(options.tiles ?? 'off', image.width, image.height, options.inputSize ?? 512)
  if (n > 1) {
    const tiled: (FaceBox & { cut: boolean })[] = []
    for (const t of tileGrid(image.width, image.height, n)) {
      tiled.push(...mapTileBoxes(await teacher.detect(cropPixels(image, t), options), t, image.width, image.height))
    }
    found.push(...dropCutBoxes(found, tiled))
  }
  return nms(
    found.flatMap((b) => clip(b, image.width, image.height) ?? []),
    0.5,
  )
}
