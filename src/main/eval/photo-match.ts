// One set of photos matched at one IoU, keeping what each detection and each labelled box became — the raw material of
// an evaluation's report (curves, sizes, confusion) and of its error lists. Per photo and class, detections best score
// first take the free label they overlap most (matchImage, the same rule as `evaluate`), so at any score threshold the
// matching of the detections above it is this one's prefix: a label is found at threshold t exactly when the
// detection that took it scores t or more.
import { area, type Corners } from '../../shared/boxes.js'
import { matchImage } from './match.js'

export interface PhotoLabel {
  classIndex: number
  box: Corners
}

export interface PhotoDetection {
  classIndex: number
  box: Corners
  score: number
}

export interface MatchPhoto {
  labels: readonly PhotoLabel[]
  detections: readonly PhotoDetection[]
}

export interface MatchedPhoto {
  /** Per detection (in the photo's order): the label it found (index into labels) or -1 for a false alarm. */
  detectionLabel: Int32Array
  /** Per label: the score of the detection that found it, or NaN when none did. */
  labelScore: Float64Array
  /** Per label: its area (in the boxes' own units, pixels here). */
  labelArea: Float64Array
}

export function matchPhoto(photo: MatchPhoto, iou: number): MatchedPhoto {
  const m = matchPhotoAt(photo, [iou])
  return { detectionLabel: m.detectionLabel[0], labelScore: m.labelScore[0], labelArea: m.labelArea }
}

/** `matchPhoto` at several IoUs at once (the overlaps computed once): one detectionLabel and labelScore per IoU. */
export function matchPhotoAt(
  photo: MatchPhoto,
  ious: readonly number[],
): { detectionLabel: Int32Array[]; labelScore: Float64Array[]; labelArea: Float64Array } {
  const detectionLabel = ious.map(() => new Int32Array(photo.detections.length).fill(-1))
  const labelScore = ious.map(() => new Float64Array(photo.labels.length).fill(NaN))
  const labelArea = Float64Array.from(photo.labels, (l) => area(l.box))
  if (photo.labels.length === 0) return { detectionLabel, labelScore, labelArea }
  const classes = new Set(photo.detections.map((d) => d.classIndex))
  for (const c of classes) {
    const labelIdx = photo.labels.flatMap((l, i) => (l.classIndex === c ? [i] : []))
    if (labelIdx.length === 0) continue
    // Stable sort: equal scores keep their stored order, so the same input always matches the same way.
    const dets = photo.detections
      .map((d, i) => ({ d, i }))
      .filter(({ d }) => d.classIndex === c)
      .sort((a, b) => b.d.score - a.d.score)
    const matches = matchImage(
      dets.map(({ d }) => d.box),
      labelIdx.map((i) => ({ box: photo.labels[i].box })),
      ious,
    )
    matches.forEach((perIou, t) =>
      perIou.forEach((m, k) => {
        if (m.outcome !== 'tp') return
        const label = labelIdx[m.label]
        detectionLabel[t][dets[k].i] = label
        labelScore[t][label] = dets[k].d.score
      }),
    )
  }
  return { detectionLabel, labelScore, labelArea }
}

/**
 * Which class the model said for which labelled class at a threshold, classes matched regardless of name (the same
 * greedy rule, over every class at once): `counts[actual][predicted]` over `classes` classes (1-based indices) plus a
 * last row and column for background. Counts add up across photos.
 */
export function addConfusion(counts: number[][], photo: MatchPhoto, iou: number, threshold: number): void {
  const background = counts.length - 1
  const dets = photo.detections.filter((d) => d.score >= threshold).sort((a, b) => b.score - a.score)
  const [matches] = matchImage(
    dets.map((d) => d.box),
    photo.labels.map((l) => ({ box: l.box })),
    [iou],
  )
  const found = new Set<number>()
  matches.forEach((m, k) => {
    const predicted = dets[k].classIndex - 1
    if (m.outcome === 'tp') {
      found.add(m.label)
      counts[photo.labels[m.label].classIndex - 1][predicted]++
    } else counts[background][predicted]++
  })
  photo.labels.forEach((l, i) => {
    if (!found.has(i)) counts[l.classIndex - 1][background]++
  })
}
