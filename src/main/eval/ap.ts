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
 * whose recall reaches it (0 when none does), averaged.
 *
 * One deliberate difference: pycocotools builds the points with `np.linspace`, i.e. k·0.01 in floating point, so ten
 * of them come out a hair high (0.35 as 0.35000000000000003, also 0.41, 0.47, 0.57, 0.69, 0.70, 0.82, 0.83, 0.94, 0.95)
 * and a recall of exactly 35/100 does not reach point 35 (a known artefact: open-mmlab/cocoapi#20). Here a recall of
 * exactly k/100 reaches point k, as the definition intends. Results differ from pycocotools only when a class's recall
 * lands exactly on one of those ten values, which needs its label count to be a multiple of 10, 20, 50 or 100 (then by
 * up to a few thousandths on small sets); otherwise they agree to the last bit or two (checked against a port of
 * pycocotools' evaluateImg/accumulate on random multi-class sets with crowds and a detection cap).
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
