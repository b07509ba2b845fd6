// Recall by object size, COCO's way: a labelled box is small below 32² square pixels, medium below 96², large above —
// its area in the photo's own pixels, not the model's input. The sizes where a model misses tell what photos to add.
import { downsample } from './operating-point.js'

export type BoxSize = 'small' | 'medium' | 'large'

export const SIZE_BOUNDS: readonly { size: BoxSize; minArea: number; maxArea: number | null }[] = [
  { size: 'small', minArea: 0, maxArea: 32 * 32 },
  { size: 'medium', minArea: 32 * 32, maxArea: 96 * 96 },
  { size: 'large', minArea: 96 * 96, maxArea: null },
]

export function sizeOf(area: number): BoxSize {
  return area < 32 * 32 ? 'small' : area < 96 * 96 ? 'medium' : 'large'
}

/**
 * A labelled box and the score of the detection that found it (null: none did). Matching goes best score first, so at
 * any threshold the box is found exactly when that score is at or above it.
 */
export interface FoundBox {
  area: number
  foundScore: number | null
}

export interface SizeBreakdown {
  size: BoxSize
  minArea: number
  maxArea: number | null
  labelled: number
  found: number
  recall: number | null
  foundAtAnyScore: number
  recallAtAnyScore: number | null
  /** Boxes found counting detections at or above each score, highest first. */
  curve: { score: number; found: number }[]
}

export function sizeBreakdown(boxes: readonly FoundBox[], threshold: number, maxPoints = 200): SizeBreakdown[] {
  return SIZE_BOUNDS.map(({ size, minArea, maxArea }) => {
    const mine = boxes.filter((b) => sizeOf(b.area) === size)
    const scores = mine
      .map((b) => b.foundScore)
      .filter((s): s is number => s !== null)
      .sort((a, b) => b - a)
    const found = scores.filter((s) => s >= threshold).length
    const curve: { score: number; found: number }[] = []
    scores.forEach((score, i) => {
      if (i === scores.length - 1 || scores[i + 1] !== score) curve.push({ score, found: i + 1 })
    })
    const labelled = mine.length
    const share = (n: number) => (labelled > 0 ? n / labelled : null)
    return {
      size,
      minArea,
      maxArea,
      labelled,
      found,
      recall: share(found),
      foundAtAnyScore: scores.length,
      recallAtAnyScore: share(scores.length),
      curve: downsample(curve, maxPoints),
    }
  })
}
