// The anchor coverage report: for a dataset's boxes, how many could be matched well at all — the share whose best
// anchor has IoU ≥ the positive threshold, by box size — and how many positive anchors a box gets on average. The first
// thing to look at when small faces go undetected: a face no anchor covers trains only its one forced anchor, at a
// poor IoU, however long the detector trains. Sizes are the shorter side in pixels of the network input, after the
// image is resized (stretched, as the SSD pipeline does) to the config's input size.
import * as tf from '@tensorflow/tfjs-core'
import { anchorsFor } from './anchors.js'
import type { DetectorConfig } from './config.js'
import { AnchorMatcher, padGroundTruth } from './matcher.js'

/** An image and its boxes in pixels (top-left x, y and size). */
export interface CoverageImage {
  width: number
  height: number
  boxes: { x: number; y: number; w: number; h: number }[]
}

/** Upper bounds (exclusive) of the size buckets, in pixels of the network input; the last bucket is open. */
export const SIZE_BUCKETS = [16, 32, 64, 128, 256] as const

export interface CoverageRow {
  /** '<16', '16–32', …, '≥256', or 'all'. */
  size: string
  boxes: number
  /** Boxes whose best anchor has IoU ≥ pos. */
  covered: number
  /** covered / boxes (null without boxes). */
  share: number | null
  /** Anchors matched to a box, on average (its forced anchor included). */
  meanPositives: number | null
}

export interface CoverageReport {
  config: string
  input: { width: number; height: number }
  anchors: number
  pos: number
  images: number
  /** Boxes the matcher ignores (no area, or nothing inside the image); not in the rows. */
  unusable: number
  rows: CoverageRow[]
  all: CoverageRow
}

/** Boxes matched per batch: B·M·A floats per IoU tensor stays near 9 M (36 MB) for SSD300's 8,732 anchors. */
const BOXES_PER_BATCH = 1024

export function anchorCoverage(config: DetectorConfig, images: readonly CoverageImage[]): CoverageReport {
  const matcher = new AnchorMatcher(anchorsFor(config), { ...config.matcher, variances: config.boxCoder.variances })
  const { width: inW, height: inH } = config.input
  const tally = [...SIZE_BUCKETS, Infinity].map(() => ({ boxes: 0, covered: 0, positives: 0 }))
  let unusable = 0
  try {
    for (const batch of batches(images)) {
      const gt = padGroundTruth(
        batch.map((im) => ({
          boxes: im.boxes.map((b) => [b.x / im.width, b.y / im.height, (b.x + b.w) / im.width, (b.y + b.h) / im.height]),
          labels: im.boxes.map(() => 1),
        })),
      )
      const result = matcher.matchWithStats(gt)
      const [bestIou, positives, usable] = [result.stats.bestIou, result.stats.positives, result.stats.usable].map(
        (t) => t.arraySync() as number[][],
      )
      tf.dispose([...Object.values(gt), result.matches, result.labels, result.offsets, ...Object.values(result.stats)])
      batch.forEach((im, i) =>
        im.boxes.forEach((b, m) => {
          if (!usable[i][m]) return void unusable++
          const side = Math.min((b.w * inW) / im.width, (b.h * inH) / im.height)
          const t = tally[bucketOf(side)]
          t.boxes++
          t.positives += positives[i][m]
          if (bestIou[i][m] >= config.matcher.pos) t.covered++
        }),
      )
    }
  } finally {
    matcher.dispose()
  }
  const row = (size: string, t: { boxes: number; covered: number; positives: number }): CoverageRow => ({
    size,
    boxes: t.boxes,
    covered: t.covered,
    share: t.boxes ? t.covered / t.boxes : null,
    meanPositives: t.boxes ? t.positives / t.boxes : null,
  })
  const total = tally.reduce((s, t) => ({ boxes: s.boxes + t.boxes, covered: s.covered + t.covered, positives: s.positives + t.positives }))
  return {
    config: config.name,
    input: { width: inW, height: inH },
    anchors: matcher.anchorCount,
    pos: config.matcher.pos,
    images: images.length,
    unusable,
    rows: tally.map((t, i) => row(bucketName(i), t)),
    all: row('all', total),
  }
}

function bucketOf(side: number): number {
  const i = SIZE_BUCKETS.findIndex((limit) => side < limit)
  return i < 0 ? SIZE_BUCKETS.length : i
}

function bucketName(i: number): string {
  if (i === 0) return `<${SIZE_BUCKETS[0]}`
  if (i === SIZE_BUCKETS.length) return `≥${SIZE_BUCKETS[i - 1]}`
  return `${SIZE_BUCKETS[i - 1]}–${SIZE_BUCKETS[i]}`
}

/** Images in batches of about BOXES_PER_BATCH padded boxes; images without boxes are skipped. */
function* batches(images: readonly CoverageImage[]): Generator<CoverageImage[]> {
  let batch: CoverageImage[] = []
  let most = 0
  for (const im of images) {
    if (im.boxes.length === 0) continue
    const wider = Math.max(most, im.boxes.length)
    if (batch.length > 0 && (batch.length + 1) * wider > BOXES_PER_BATCH) {
      yield batch
      batch = []
      most = 0
    }
    batch.push(im)
    most = Math.max(most, im.boxes.length)
  }
  if (batch.length > 0) yield batch
}

/** The report as a table, for the terminal. */
export function formatCoverage(report: CoverageReport): string {
  const header = ['size (px)', 'boxes', `IoU ≥ ${report.pos}`, 'covered', 'positives/box']
  const cells = (r: CoverageRow) => [
    r.size,
    String(r.boxes),
    String(r.covered),
    r.share === null ? '–' : `${(100 * r.share).toFixed(1)}%`,
    r.meanPositives === null ? '–' : r.meanPositives.toFixed(2),
  ]
  const lines = [header, ...report.rows.map(cells), cells(report.all)]
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)))
  const line = (l: string[]) => l.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')
  return [
    `Anchor coverage: ${report.config}, ${report.anchors} anchors on ${report.input.width}×${report.input.height}, ` + `${report.images} images`,
    '',
    line(lines[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.slice(1, -1).map(line),
    widths.map((w) => '-'.repeat(w)).join('  '),
    line(lines[lines.length - 1]),
    ...(report.unusable ? ['', `${report.unusable} boxes ignored by the matcher (no area, or outside the image)`] : []),
  ].join('\n')
}
