import { describe, expect, it } from 'vitest'
import type { Corners } from '../../../src/shared/boxes.js'
import { COCO_IOU_THRESHOLDS, evaluate, type Detection, type EvalOptions, type GroundTruthBox } from '../../../src/main/eval/evaluate.js'

// Every label is the 10×10 square; a detection slid right by s has IoU (10 − s) / (10 + s) with it:
//   s = 0 → 1,  s = 1 → 9/11 ≈ 0.818,  s = 2 → 2/3,  s = 5 → 1/3,  s = 9 → 1/19 ≈ 0.053,  s ≥ 10 → 0.
const square: Corners = [0, 0, 10, 10]
const slid = (s: number): Corners => [s, 0, 10 + s, 10]
const FACE = 1
const SMILE = 2
const classes = [
  { id: FACE, name: 'face' },
  { id: SMILE, name: 'smiling' },
]
const label = (imageId: number, extra: Partial<GroundTruthBox> = {}): GroundTruthBox => ({
  imageId,
  classId: FACE,
  box: square,
  ...extra,
})
const det = (imageId: number, score: number, box: Corners, classId = FACE): Detection => ({ imageId, classId, box, score })

const faces = (groundTruth: GroundTruthBox[], detections: Detection[], options?: EvalOptions) => {
  const result = evaluate({ classes: [classes[0]], groundTruth, detections }, options)
  return result.classes[0]
}

describe('evaluate', () => {
  // 3 labels in 3 images, 5 detections (listed out of order: evaluation ranks them by score).
  //   score  image  slide  IoU    at 0.5
  //   0.9    1      0      1      TP
  //   0.8    1      1      0.818  FP — image 1's label is taken
  //   0.7    2      1      0.818  TP
  //   0.6    3      5      1/3    FP
  //   0.5    3      2      2/3    TP — the 0.6 detection did not take the label
  const threeLabels = [label(1), label(2), label(3)]
  const fiveDetections = [det(3, 0.5, slid(2)), det(1, 0.8, slid(1)), det(3, 0.6, slid(5)), det(1, 0.9, slid(0)), det(2, 0.7, slid(1))]

  it('works a 3-label, 5-detection case by hand: VOC AP50, COCO AP, recall, curve and best F1', () => {
    const c = faces(threeLabels, fiveDetections)
    expect(c).toMatchObject({ gt: 3, detections: 5, tp: 3, fp: 2, ignored: 0, unknown: 0, recall: 1 })
    // TP FP TP FP TP: recall 1/3 1/3 2/3 2/3 1, precision 1 1/2 2/3 1/2 3/5 → 1/3 + 1/3·2/3 + 1/3·3/5 = 34/45.
    expect(c.ap50).toBeCloseTo(34 / 45, 12)
    expect(c.pr.map((p) => p.score)).toEqual([0.9, 0.8, 0.7, 0.6, 0.5])
    expect(c.pr.map((p) => p.precision)).toEqual([1, 1 / 2, 2 / 3, 1 / 2, 3 / 5])
    // F1 at ranks 1, 3, 5: 1/2, 2/3, 3/4 — the best is to keep everything down to score 0.5.
    expect(c.bestF1).toMatchObject({ score: 0.5, recall: 1, precision: 3 / 5 })
    expect(c.bestF1!.f1).toBeCloseTo(3 / 4, 12)

    // COCO, 101 points per threshold:
    //   0.50–0.65 (4 thresholds): TP FP TP FP TP → (34·1 + 33·2/3 + 34·3/5) / 101 = 76.4/101
    //   0.70–0.80 (3): the IoU-2/3 detection misses, TP FP TP FP FP → (34 + 33·2/3) / 101 = 56/101
    //   0.85–0.95 (3): the 0.818s miss too, TP FP FP FP FP → 34/101
    // AP = (4·76.4 + 3·56 + 3·34) / 101 / 10 = 575.6 / 1010
    expect(c.ap).toBeCloseTo(575.6 / 1010, 12)
    expect(c.apByIou.map((a) => a.iou)).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
    expect(c.apByIou[3].ap).toBeCloseTo(76.4 / 101, 12)
    expect(c.apByIou[4].ap).toBeCloseTo(56 / 101, 12)
    expect(c.apByIou[9].ap).toBeCloseTo(34 / 101, 12)
  })

  it('scores perfect detections 1 and no detections 0', () => {
    const perfect = faces(threeLabels, [det(1, 0.9, square), det(2, 0.8, square), det(3, 0.3, square)])
    expect(perfect).toMatchObject({ ap50: 1, ap: 1, recall: 1, tp: 3, fp: 0 })
    const none = faces(threeLabels, [])
    expect(none).toMatchObject({ ap50: 0, ap: 0, recall: 0, tp: 0, fp: 0, pr: [], bestF1: null })
  })

  it('counts a duplicate detection as a false positive', () => {
    // TP (image 1), duplicate FP (image 1), TP (image 2): 1/2·1 + 1/2·2/3 = 5/6. Were the duplicate a TP, it would be 1.
    const c = faces([label(1), label(2)], [det(1, 0.9, square), det(1, 0.8, square), det(2, 0.7, square)])
    expect(c).toMatchObject({ tp: 2, fp: 1 })
    expect(c.ap50).toBeCloseTo(5 / 6, 12)
  })

  it('breaks score ties by the order of the detections file', () => {
    const miss = det(1, 0.9, slid(20))
    const hit = det(1, 0.9, square)
    // FP then TP: precision 1/2 at recall 1. TP then FP: precision 1 at recall 1.
    expect(faces([label(1)], [miss, hit]).ap50).toBe(0.5)
    expect(faces([label(1)], [hit, miss]).ap50).toBe(1)
  })

  it('neither rewards nor punishes detections of crowd regions and ignored labels', () => {
    const groundTruth = [label(1), label(1, { box: [50, 50, 150, 150], crowd: true }), label(2, { box: [0, 0, 10, 10], ignore: true })]
    const detections = [
      det(1, 0.95, [60, 60, 70, 70]), // inside the crowd: IoU 0.01, but wholly inside → ignored
      det(1, 0.9, [80, 80, 90, 90]), //  inside the crowd as well → ignored (a crowd box takes many)
      det(2, 0.85, square), //           on the ignored label → ignored
      det(2, 0.8, slid(1)), //            again on it (IoU 0.818) → ignored up to IoU 0.80, FP above
      det(1, 0.7, square), //             the one scored label → TP
    ]
    const c = faces(groundTruth, detections)
    // Counted as false positives these four would rank first: F F F F T → AP 1/5.
    expect(c).toMatchObject({ gt: 1, ignoredGt: 2, detections: 5, tp: 1, fp: 0, ignored: 4, ap50: 1, recall: 1 })
    expect(c.pr).toEqual([{ recall: 1, precision: 1, score: 0.7 }])
    // At 0.85–0.95 the 0.818 detection no longer matches the ignored label: F T, precision 1/2 at every recall point.
    // (7·1 + 3·1/2) / 10 = 0.85
    expect(c.ap).toBeCloseTo(0.85, 12)
  })

  it('keeps classes apart and averages over the classes that have labels', () => {
    const groundTruth = [label(1), label(1, { classId: SMILE }), label(2)]
    const detections = [
      det(1, 0.9, square), //          face, image 1 → TP
      det(2, 0.8, square), //          face, image 2 → TP
      det(2, 0.95, square, SMILE), //  smiling on image 2's face, which is not labelled smiling → FP
      det(1, 0.6, square, SMILE), //   smiling on image 1 → TP
    ]
    const result = evaluate({ classes, groundTruth, detections })
    const [face, smiling] = result.classes
    expect(face).toMatchObject({ name: 'face', gt: 2, tp: 2, fp: 0, ap50: 1 })
    // FP then TP: precision 1/2 at recall 1.
    expect(smiling).toMatchObject({ name: 'smiling', gt: 1, tp: 1, fp: 1, ap50: 0.5 })
    expect(result.ap50).toBe(0.75)
    expect(result.recall).toBe(1)
  })

  it('leaves a class without scored labels out of the means', () => {
    const groundTruth = [label(1), label(1, { classId: SMILE, crowd: true, box: [0, 0, 100, 100] })]
    const result = evaluate({ classes, groundTruth, detections: [det(1, 0.9, square), det(1, 0.8, [0, 0, 5, 5], SMILE)] })
    expect(result.classes[1]).toMatchObject({ gt: 0, ignoredGt: 1, ap50: null, ap: null, recall: null, apByIou: [] })
    expect(result).toMatchObject({ ap50: 1, ap: 1, recall: 1 })
    expect(evaluate({ classes, groundTruth: [], detections: [] })).toMatchObject({ ap50: null, ap: null, recall: null })
  })

  it('counts at most maxDetections per image and class, best first', () => {
    const groundTruth = [label(1), label(2)]
    const detections = [
      det(1, 0.9, slid(20)),
      det(1, 0.8, slid(30)),
      det(1, 0.7, slid(40)),
      det(1, 0.6, square), //          image 1's hit, fourth best in its image
      det(2, 0.5, square), //          image 2's hit: image 1's cap does not apply to it
      det(1, 0.99, square, SMILE), //  another class: takes no face slot
    ]
    const run = (maxDetections?: number) => evaluate({ classes, groundTruth, detections }, maxDetections ? { maxDetections } : {}).classes[0]
    // Cap 3: image 1's hit is dropped. F F F T(image 2): recall 1/2 at precision 1/4 → AP 1/8.
    expect(run(3)).toMatchObject({ detections: 4, dropped: 1, tp: 1, fp: 3, recall: 0.5, ap50: 1 / 8 })
    // Cap 4, or COCO's default 100: F F F T T → recall 1/2 at 1/4, 1 at 2/5 → envelope 2/5 for both steps → 2/5.
    expect(run(4)).toMatchObject({ detections: 5, dropped: 0, tp: 2, recall: 1 })
    expect(run(4).ap50).toBeCloseTo(2 / 5, 12)
    expect(run().ap50).toBeCloseTo(2 / 5, 12)
  })

  it('does not let an image with few detections lend its unused slots to a busy one', () => {
    const detections = [
      det(1, 0.9, square), //    image 1: its only detection, a hit
      det(2, 0.8, slid(20)), //  image 2: two misses first…
      det(2, 0.7, slid(30)),
      det(2, 0.6, square), //    …so with a cap of 2 its hit is dropped
    ]
    // T F F: recall 1/2 at precision 1 → AP 1/2. Were the hit counted: T F F T → 1/2 + 1/2·1/2 = 3/4.
    const c = faces([label(1), label(2)], detections, { maxDetections: 2 })
    expect(c).toMatchObject({ detections: 3, dropped: 1, recall: 0.5, ap50: 0.5 })
  })

  it('averages over 0.50:0.95 so that a loose box scores well at 0.5 and poorly overall', () => {
    // IoU 9/11 ≈ 0.818 passes 0.50 … 0.80 (7 thresholds); IoU 2/3 passes 0.50 … 0.65 (4).
    const loose = faces([label(1)], [det(1, 0.9, slid(1))])
    expect(loose).toMatchObject({ ap50: 1, recall: 1 })
    expect(loose.ap).toBeCloseTo(0.7, 12)
    expect(loose.apByIou.map((a) => a.ap)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
    expect(faces([label(1)], [det(1, 0.9, slid(2))]).ap).toBeCloseTo(0.4, 12)
  })

  it('reports AP, recall and the curve at another IoU threshold on request, leaving the COCO number alone', () => {
    const detections = [det(1, 0.9, slid(1)), det(2, 0.8, slid(2))] // IoU 0.818 and 2/3
    const at75 = faces([label(1), label(2)], detections, { iou: 0.75 })
    expect(at75).toMatchObject({ ap50: 0.5, recall: 0.5, tp: 1, fp: 1 })
    // 0.72 is not a COCO threshold; it is evaluated in addition to them.
    expect(faces([label(1), label(2)], detections, { iou: 0.72 })).toMatchObject({ ap50: 0.5 })
    // COCO AP: 0.50–0.65 both hit → 1; 0.70–0.80 one at recall 1/2 → 51/101; 0.85–0.95 → 0.
    const expectedAp = (4 * 1 + 3 * (51 / 101)) / 10
    expect(at75.ap).toBeCloseTo(expectedAp, 12)
    expect(faces([label(1), label(2)], detections).ap).toBeCloseTo(expectedAp, 12)
  })

  describe('when only some objects are labelled (unlabelledAreUnknown)', () => {
    // Image 1 (one labelled face) and image 2 (one labelled face):
    //   0.9  image 1, another face far from the label (IoU 0)  → FP, or unknown
    //   0.8  image 1, the labelled face                        → TP
    //   0.7  image 1, a near miss (IoU 1/3)                      → FP either way: it overlaps the label
    //   0.6  image 1, a second detection of the face (0.818)     → FP either way: the label is taken
    //   0.5  image 2, the labelled face                          → TP
    const groundTruth = [label(1), label(2)]
    const detections = [det(1, 0.9, slid(40)), det(1, 0.8, square), det(1, 0.7, slid(5)), det(1, 0.6, slid(1)), det(2, 0.5, square)]

    it('ignores a detection that overlaps no label, but not a near miss or a duplicate', () => {
      // F T F F T: recall 0 1/2 1/2 1/2 1, precision 0 1/2 1/3 1/4 2/5 → 1/2·1/2 + 1/2·2/5 = 0.45
      const strict = faces(groundTruth, detections)
      expect(strict).toMatchObject({ tp: 2, fp: 3, unknown: 0 })
      expect(strict.ap50).toBeCloseTo(0.45, 12)
      // T F F T: recall 1/2 1/2 1/2 1, precision 1 1/2 1/3 1/2 → 1/2·1 + 1/2·1/2 = 0.75
      const lenient = faces(groundTruth, detections, { unlabelledAreUnknown: true })
      expect(lenient).toMatchObject({ tp: 2, fp: 2, unknown: 1, detections: 5 })
      expect(lenient.ap50).toBeCloseTo(0.75, 12)
    })

    it('draws the line at IoU 0.1 by default, adjustable with unknownIou', () => {
      const barely = [det(1, 0.9, slid(9)), det(1, 0.8, square)] // IoU 1/19 ≈ 0.053 with the label
      expect(faces([label(1)], barely, { unlabelledAreUnknown: true })).toMatchObject({ unknown: 1, fp: 0, ap50: 1 })
      expect(faces([label(1)], barely, { unlabelledAreUnknown: true, unknownIou: 0.05 })).toMatchObject({
        unknown: 0,
        fp: 1,
        ap50: 0.5,
      })
    })

    it('treats every detection in an image without labels as unknown', () => {
      expect(faces([label(1)], [det(9, 0.99, square), det(1, 0.5, square)], { unlabelledAreUnknown: true })).toMatchObject({
        unknown: 1,
        fp: 0,
        ap50: 1,
      })
    })

    it('counts a detection on a label of another class as a false positive, not unknown', () => {
      // A face labelled but not smiling is known not to smile.
      const result = evaluate(
        { classes, groundTruth: [label(1), label(2, { classId: SMILE })], detections: [det(1, 0.9, square, SMILE)] },
        { unlabelledAreUnknown: true },
      )
      expect(result.classes[1]).toMatchObject({ fp: 1, unknown: 0, ap50: 0 })
    })
  })

  it('refuses options out of range and detections of classes it was not told about', () => {
    expect(() => faces([label(1)], [], { iou: 0 })).toThrow(RangeError)
    expect(() => faces([label(1)], [], { iou: 1.5 })).toThrow(/iou must be in \(0, 1\]/)
    expect(() => faces([label(1)], [], { maxDetections: 0 })).toThrow(/maxDetections/)
    expect(() => faces([label(1)], [], { unknownIou: 0 })).toThrow(/unknownIou/)
    expect(() => faces([label(1)], [det(1, 0.5, square, 7)])).toThrow(/class 7/)
    expect(() => faces([label(1)], [det(1, NaN, square)])).toThrow(/score NaN/)
    // Undefined means the default, not "no threshold".
    expect(faces([label(1)], [det(1, 0.9, slid(1))], { iou: undefined, maxDetections: undefined })).toMatchObject({ ap50: 1 })
  })

  it('uses the ten COCO thresholds, each the double nearest its decimal', () => {
    expect(COCO_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
  })
})
