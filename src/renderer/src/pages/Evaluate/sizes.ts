// Recall by face size at the chosen threshold, from each size's "found" curve, in the page: the sizes where the
// model fails say what photos to add (small faces missed: closer-up shots will not help, distant ones will).

/** Boxes of one size found, counting every detection scoring at least `score` (highest score first). */
export interface FoundPoint {
  score: number
  found: number
}

/** Labelled boxes of one size found at `threshold`: the last point at or above it (none: 0). */
export function foundAt(curve: readonly FoundPoint[], threshold: number): number {
  let lo = 0
  let hi = curve.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (curve[mid].score >= threshold) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? 0 : curve[lo - 1].found
}

/** "small < 32² px", "medium 32²–96² px", "large ≥ 96² px": COCO's bounds as side lengths, which people picture. */
export function sizeBounds(minArea: number, maxArea: number | null): string {
  const side = (area: number) => `${Math.round(Math.sqrt(area))}²`
  if (minArea <= 0 && maxArea !== null) return `< ${side(maxArea)} px`
  if (maxArea === null) return `≥ ${side(minArea)} px`
  return `${side(minArea)}–${side(maxArea)} px`
}
