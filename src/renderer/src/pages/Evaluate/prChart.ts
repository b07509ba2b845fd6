// The precision/recall curves of several classes on one uPlot chart, and the inverse question a click on it asks:
// which point of which curve is nearest, and so which score threshold was meant. Pure functions, for tests.

export interface DrawnCurve {
  recall: readonly number[]
  precision: readonly number[]
  score: readonly number[]
}

/**
 * uPlot wants one x array shared by every series. Each class's points become rows of their own (the other classes
 * null there, gaps spanned), merged by recall; a class's own order is kept among equal recalls, so its steps down in
 * precision at one recall (false alarms) draw in order.
 */
export function alignCurves(curves: readonly DrawnCurve[]): { x: number[]; ys: (number | null)[][] } {
  const rows: { recall: number; curve: number; k: number }[] = []
  curves.forEach((c, curve) => c.recall.forEach((recall, k) => rows.push({ recall, curve, k })))
  // Stable: equal recalls keep the order they were pushed in, each class's in its own order.
  rows.sort((a, b) => a.recall - b.recall)
  const x = rows.map((r) => r.recall)
  const ys = curves.map((c, i) => rows.map((r) => (r.curve === i ? c.precision[r.k] : null)))
  return { x, ys }
}

/**
 * The point nearest a position on the chart, in screen pixels, and its score: `toPx` maps a (recall, precision) to
 * the chart's pixels. Null when there are no points.
 */
export function nearestPoint(
  curves: readonly DrawnCurve[],
  at: { x: number; y: number },
  toPx: (recall: number, precision: number) => { x: number; y: number },
): { curve: number; index: number; score: number } | null {
  let best: { curve: number; index: number; score: number } | null = null
  let bestDistance = Infinity
  curves.forEach((c, curve) => {
    for (let index = 0; index < c.recall.length; index++) {
      const p = toPx(c.recall[index], c.precision[index])
      const d = (p.x - at.x) ** 2 + (p.y - at.y) ** 2
      // Strictly nearer: of points drawn on top of each other, the one with the higher score (fewer detections) wins.
      if (d < bestDistance) {
        bestDistance = d
        best = { curve, index, score: c.score[index] }
      }
    }
  })
  return best
}
