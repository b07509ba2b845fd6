// Box math that the UI, the detector and evaluation all need. Pure functions over plain numbers.

/** Corner form: [x1, y1, x2, y2], x to the right and y down; pixels or normalised, as long as both sides agree. */
export type Corners = readonly [number, number, number, number]

export const area = ([x1, y1, x2, y2]: Corners): number => Math.max(0, x2 - x1) * Math.max(0, y2 - y1)

/** Intersection over union; 0 when either box is empty (degenerate boxes match nothing). */
export function iou(a: Corners, b: Corners): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1])
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  const union = area(a) + area(b) - inter
  return union > 0 ? inter / union : 0
}

/** From top-left + size (how the store and COCO keep boxes) to corners. */
export const cornersOf = (b: { x: number; y: number; w: number; h: number }): Corners => [b.x, b.y, b.x + b.w, b.y + b.h]
