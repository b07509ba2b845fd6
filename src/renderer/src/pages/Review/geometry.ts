// Box math for the editor, in image pixels (the EXIF-oriented frame the store uses). Pure, so it is unit-tested
// without a browser; the canvas only converts pointer positions into image pixels and hands them here.

export interface Rect {
  x: number
  y: number
  w: number
  h: number
}

export interface Size {
  width: number
  height: number
}

export type Handle = 'nw' | 'ne' | 'sw' | 'se'
export const HANDLES: readonly Handle[] = ['nw', 'ne', 'sw', 'se']

/** Boxes smaller than this (image pixels) are a click, not a drawing: nothing is saved for them. */
export const MIN_BOX = 4

/** The scale and offset that fit `image` inside `area`, centred, never enlarged past 4×. */
export function fit(image: Size, area: Size): { scale: number; width: number; height: number; left: number; top: number } {
  const scale = Math.max(0.01, Math.min(area.width / image.width, area.height / image.height, 4))
  const width = image.width * scale
  const height = image.height * scale
  return { scale, width, height, left: (area.width - width) / 2, top: (area.height - height) / 2 }
}

/** A point on the displayed photo (relative to its top-left, in CSS pixels) in image pixels, kept inside the photo. */
export function toImage(point: { x: number; y: number }, displayed: Size, image: Size): { x: number; y: number } {
  return {
    x: clamp((point.x / displayed.width) * image.width, 0, image.width),
    y: clamp((point.y / displayed.height) * image.height, 0, image.height),
  }
}

/** The box spanned by two corners dragged in any direction. */
export function spanned(a: { x: number; y: number }, b: { x: number; y: number }): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) }
}

/** `box` moved by (dx, dy), stopped at the photo's edges rather than shrunk by them. */
export function moved(box: Rect, dx: number, dy: number, image: Size): Rect {
  return {
    ...box,
    x: clamp(box.x + dx, 0, Math.max(0, image.width - box.w)),
    y: clamp(box.y + dy, 0, Math.max(0, image.height - box.h)),
  }
}

/** `box` with one corner dragged to `to` (already inside the photo); dragging past the opposite corner flips it. */
export function resized(box: Rect, handle: Handle, to: { x: number; y: number }): Rect {
  const fixed = {
    x: handle === 'nw' || handle === 'sw' ? box.x + box.w : box.x,
    y: handle === 'nw' || handle === 'ne' ? box.y + box.h : box.y,
  }
  return spanned(fixed, to)
}

export function corner(box: Rect, handle: Handle): { x: number; y: number } {
  return {
    x: handle === 'nw' || handle === 'sw' ? box.x : box.x + box.w,
    y: handle === 'nw' || handle === 'ne' ? box.y : box.y + box.h,
  }
}

/** Whole pixels: what labels mean, and it keeps float noise out of the store and the edit log. */
export function rounded(box: Rect, image: Size): Rect {
  const x = clamp(Math.round(box.x), 0, image.width - 1)
  const y = clamp(Math.round(box.y), 0, image.height - 1)
  return {
    x,
    y,
    w: clamp(Math.round(box.x + box.w) - x, 1, image.width - x),
    h: clamp(Math.round(box.y + box.h) - y, 1, image.height - y),
  }
}

export function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** Where the photo is drawn in the canvas area: CSS pixels per image pixel, and its top-left corner. */
export interface View {
  scale: number
  left: number
  top: number
}

/** Zoom limits relative to the fitted scale: half of fit out, and in to 32× fit or 16 screen pixels per pixel. */
export function zoomLimits(fitScale: number): { min: number; max: number } {
  return { min: fitScale / 2, max: Math.max(fitScale * 32, 16) }
}

/** `view` zoomed by `factor` keeping the image point under `at` (canvas-area pixels) where it is: wheel zoom. */
export function zoomedAt(view: View, factor: number, at: { x: number; y: number }, fitScale: number): View {
  const { min, max } = zoomLimits(fitScale)
  const scale = clamp(view.scale * factor, min, max)
  const k = scale / view.scale
  return { scale, left: at.x - (at.x - view.left) * k, top: at.y - (at.y - view.top) * k }
}

/** The view that shows `box` centred, filling about 60 % of the area (never past the zoom limit). */
export function zoomedTo(box: Rect, area: Size, fitScale: number): View {
  const { max } = zoomLimits(fitScale)
  const scale = Math.min(max, (0.6 * area.width) / Math.max(box.w, 1), (0.6 * area.height) / Math.max(box.h, 1))
  return {
    scale,
    left: area.width / 2 - (box.x + box.w / 2) * scale,
    top: area.height / 2 - (box.y + box.h / 2) * scale,
  }
}
