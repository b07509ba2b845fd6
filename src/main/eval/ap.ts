// Average precision from a ranked list of detections. Two interpolations, because the two numbers people quote use
// different ones and they do not agree to the third decimal:
//  - Pascal VOC 2010+ ("all-point"): the exact area under the precision envelope, one step per recall change;
//  - COCO (pycocotools): the envelope sampled at 101 recall points 0, 0.01, …, 1 and averaged.
// Both take the cumulative recall and precision after each counted detection, best score first.

/** The precision envelope: at each rank, the best precision reachable at this recall or any higher one. */
export function precisionEnvelope(precision: ArrayLike<number>): Float64Array {
  const envelope = Float64Array.from(precision)
  for (let i = envelope.length - 2; i >= 0; i--) envelope[i] = Math.max(envelope[i], envelope[i + 1])
  return envelope
}

/**
 * Pascal VOC AP (VOC2010 onwards, as in the devkit's `VOCap`): recall is bracketed by 0 and 1, precision by 0 and 0,
 * and the area under the envelope is summed wherever recall steps up. Recall never reached contributes nothing.
 */
export function allPointAp(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  checkCurve(recall, precision)
  const n = recall.length
  const mrec = new Float64Array(n + 2)
  const mpre = new Float64Array(n + 2)
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i]
    mpre[i + 1] = precision[i]
  }
  mrec[n + 1] = 1
  const envelope = precisionEnvelope(mpre)
  let ap = 0
  for (let i = 0; i < mrec.length - 1; i++) {
    if (mrec[i + 1] !== mrec[i]) ap += (mrec[i + 1] - mrec[i]) * envelope[i + 1]
  }
  return ap
}

/** The 101 recall points COCO samples, written as k/100 (see `cocoAp` for why not k·0.01). */
export const COCO_RECALL_POINTS: readonly number[] = Array.from({ length: 101 }, (_, k) => k / 100)

/**
 * COCO AP (pycocotools' `accumulate`): at each of the 101 recall points, the envelope's precision at the first rank
 * whose recall reaches it (0 when none does), averaged. Unlike pycocotools (np.linspace's k·0.01), a recall of exactly
 * k/100 reaches point k; the two differ only when a recall lands on one of ten such values
 * (docs/evaluation.md#cocos-recall-points).
 */
export function cocoAp(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  checkCurve(recall, precision)
  const envelope = precisionEnvelope(precision)
  let sum = 0
  let rank = 0
  for (const point of COCO_RECALL_POINTS) {
    // Recall is non-decreasing along the ranks, so the first rank reaching each point only moves forward.
    while (rank < recall.length && recall[rank] < point) rank++
    if (rank === recall.length) break
    sum += envelope[rank]
  }
  return sum / COCO_RECALL_POINTS.length
}

function checkCurve(recall: ArrayLike<number>, precision: ArrayLike<number>) {
  if (recall.length !== precision.length) {
    throw new Error(`recall and precision must have the same length (${recall.length} vs ${precision.length})`)
  }
}
