// Where an error's crop looks: the mistaken box with room around it (and the other box of the pair, when they are
// near), fitted into a square cell, so a face fills the cell whatever the photo's size.

export interface PixelRect {
  x: number
  y: number
  w: number
  h: number
}

/** The photo area a cell shows (photo pixels) and the scale from it to the cell's pixels. */
export interface CropView {
  x: number
  y: number
  w: number
  h: number
  scale: number
}

/** Context around the box, as a share of its larger side on each side. */
const MARGIN = 0.6

/**
 * The square area around `box` (and `other`, if given) with a margin, clamped inside the photo where it fits, that a
 * `cell`-pixel square shows. A box larger than the photo's short side gets a crop as large as the photo allows.
 */
export function cropView(box: PixelRect, other: PixelRect | null, photo: { width: number; height: number }, cell: number): CropView {
  const left = Math.min(box.x, other?.x ?? box.x)
  const top = Math.min(box.y, other?.y ?? box.y)
  const right = Math.max(box.x + box.w, other ? other.x + other.w : -Infinity)
  const bottom = Math.max(box.y + box.h, other ? other.y + other.h : -Infinity)
  const span = Math.max(right - left, bottom - top, 1)
  // At least 24 photo pixels across: a tiny false alarm still shows what it fired on.
  const side = Math.max(24, span * (1 + 2 * MARGIN))
  const cx = (left + right) / 2
  const cy = (top + bottom) / 2
  const x = clamp(cx - side / 2, 0, photo.width - side)
  const y = clamp(cy - side / 2, 0, photo.height - side)
  return { x, y, w: side, h: side, scale: cell / side }
}

/** Keeps [v, v + side] inside [lo, hi + side] where it fits; centred on a photo narrower than the crop. */
function clamp(v: number, lo: number, hi: number): number {
  if (hi < lo) return (lo + hi) / 2
  return Math.min(Math.max(v, lo), hi)
}
