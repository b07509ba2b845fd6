// Greedy matching of one image's detections of one class to its labels, the way pycocotools' `evaluateImg` does it,
// so the numbers here can be compared with published COCO numbers.
import { area, iou, type Corners } from '../../shared/boxes.js'

/** A ground-truth box as matching sees it. */
export interface Label {
  box: Corners
  /** A COCO crowd region (`iscrowd: 1`): one box around many objects. */
  crowd?: boolean
  /** Present but not to be scored (VOC "difficult", an explicit `ignore: 1`). */
  ignore?: boolean
}

/**
 * What became of one detection at one IoU threshold: a true positive, a false positive, or `ignored` — it matched a
 * crowd or ignored label, so it is neither (finding something the labeller chose not to score is no mistake).
 */
export type Outcome = 'tp' | 'fp' | 'ignored'

export interface Match {
  outcome: Outcome
  /** Index into the labels passed in; -1 when the detection matched nothing. */
  label: number
}

/**
 * How much a detection covers a label: IoU, except for crowd regions, where (as in COCO) it is the share of the
 * detection that lies inside the region — a detection of one person in a crowd box has a tiny IoU with it.
 */
export function overlap(detection: Corners, label: Label): number {
  if (!label.crowd) return iou(detection, label.box)
  const detArea = area(detection)
  return detArea > 0 ? intersection(detection, label.box) / detArea : 0
}

function intersection(a: Corners, b: Corners): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1])
  return w > 0 && h > 0 ? w * h : 0
}

/** pycocotools caps thresholds just below 1 so that `--iou 1` still accepts a detection identical to its label. */
const MAX_THRESHOLD = 1 - 1e-10

/**
 * Match detections (best score first; the caller sorts, stably) to labels at each threshold independently. Returns one
 * list of matches per threshold, in detection order. Each detection takes the free label it overlaps most, if at least
 * the threshold; a scored label is taken once, crowd and ignored labels absorb any number but only when no scored label
 * is good enough; ties go to the later label, as in pycocotools. COCO's rule, used for VOC too (where the devkit differs:
 * docs/evaluation.md#matching-detections-to-labels).
 */
export function matchImage(detections: readonly Corners[], labels: readonly Label[], thresholds: readonly number[]): Match[][] {
  const ignored = labels.map((l) => Boolean(l.crowd || l.ignore))
  // Scored labels first (stable), so the loop below can stop at the first ignored one once it holds a scored match.
  const order = labels.map((_, i) => i).sort((a, b) => Number(ignored[a]) - Number(ignored[b]))
  const overlaps = detections.map((d) => order.map((g) => overlap(d, labels[g])))

  return thresholds.map((threshold) => {
    const taken = new Array<boolean>(order.length).fill(false)
    return detections.map((_, d): Match => {
      let best = Math.min(threshold, MAX_THRESHOLD)
      let m = -1
      for (let j = 0; j < order.length; j++) {
        const g = order[j]
        if (taken[j] && !ignored[g]) continue
        if (m > -1 && !ignored[order[m]] && ignored[g]) break
        if (overlaps[d][j] < best) continue
        best = overlaps[d][j]
        m = j
      }
      if (m === -1) return { outcome: 'fp', label: -1 }
      taken[m] = true
      const label = order[m]
      return { outcome: ignored[label] ? 'ignored' : 'tp', label }
    })
  })
}
