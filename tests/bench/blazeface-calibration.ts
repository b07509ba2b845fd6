// `npm run bench -- blazeface-calibration [--images=400] [--variant=back|front|both]`: fit BlazeFace's box
// calibration (BoxScale in src/main/kindle/blazeface.ts: width and height scale about the box's centre, and a shift of
// that centre up by a share of the box's height) on GENKI-SZSL **train** only — never val, test or dlib-faces, which
// are the held-out sets `npm run bench -- teachers` scores the teachers on.
//
// `--images` train photos with exactly one labelled face, spread evenly over the train file (every k-th), are decoded
// as kindling does and run through the uncalibrated model twice: as they are, and zoomed out (padded) as kindling's
// zoom-out does. For a candidate calibration, the boxes of both passes are calibrated and then combined exactly as
// `detectFaces` combines them (the zoomed pass kept only where the plain one found no face or a big one, NMS, clipped
// to the photo); the box best matching the label (highest IoU) is that photo's. The fit is the calibration with the
// highest mean IoU over the photos where the uncalibrated pipeline found the face (IoU ≥ 0.3): coordinate search from
// the median ratios (person's side / BlazeFace's side; vertical offset of the centres / BlazeFace's height), in steps
// of 0.01. Deterministic: same photos, same model, same numbers.
// Ends with `RESULT {variant: {fitted, medianRatios, meanIoU: {uncalibrated, current, fitted}, …}}`.
import fs from 'node:fs'
import path from 'node:path'
import { initEngine } from '../../src/main/engine/index.js'
import {
  BIG_FACE,
  blazeFaceTeacher,
  clip,
  DEFAULT_ZOOM_OUT,
  iou,
  nms,
  padPixels,
  readPixels,
  toPersonBox,
  type BlazeFaceVariant,
  type BoxScale,
  type FaceBox,
} from '../../src/main/kindle/index.js'
import { datasets, genkiImages } from '../helpers/fixtures.js'
import { median, round, table } from './util.js'

const MIN_SCORE = 0.5
/** The calibrations in blazeface.ts before this fit (fitted on dlib-faces, so not held out from its evaluation). */
const DLIB_FITTED: Record<BlazeFaceVariant, BoxScale> = {
  back: { w: 1.08, h: 1.08, shiftUp: 0.04 },
  front: { w: 0.88, h: 0.88, shiftUp: 0.02 },
}
const IDENTITY: BoxScale = { w: 1, h: 1, shiftUp: 0 }

interface Sample {
  width: number
  height: number
  label: FaceBox
  /** Uncalibrated boxes of the plain pass, and of the zoomed-out pass already moved into the photo's frame. */
  plain: FaceBox[]
  zoomed: FaceBox[]
}

/** `detectFaces` (src/main/kindle/teachers.ts, zoom-out 'big-face') on stored passes, with calibration `scale`. */
function kindled(s: Sample, scale: BoxScale): FaceBox[] {
  const found = s.plain.map((b) => toPersonBox(b, scale))
  const short = Math.min(s.width, s.height)
  if (found.length === 0 || found.some((f) => Math.max(f.w, f.h) >= BIG_FACE * short)) {
    found.push(...s.zoomed.map((b) => toPersonBox(b, scale)))
  }
  return nms(
    found.flatMap((b) => clip(b, s.width, s.height) ?? []),
    0.5,
  )
}

const bestIou = (s: Sample, scale: BoxScale) => Math.max(0, ...kindled(s, scale).map((b) => iou(b, s.label)))
const meanIou = (samples: Sample[], scale: BoxScale) => samples.reduce((a, s) => a + bestIou(s, scale), 0) / samples.length
const recall = (samples: Sample[], scale: BoxScale) => samples.filter((s) => bestIou(s, scale) >= 0.5).length / samples.length

async function collect(variant: BlazeFaceVariant, photos: { file: string; bbox: number[] }[]): Promise<Sample[]> {
  const teacher = await blazeFaceTeacher(variant, IDENTITY)
  const samples: Sample[] = []
  for (const { file, bbox } of photos) {
    const pixels = await readPixels(path.join(genkiImages, file))
    const k = 1 / pixels.scale
    const label = { x: bbox[0] * k, y: bbox[1] * k, w: bbox[2] * k, h: bbox[3] * k, score: 1 }
    const plain = await teacher.detect(pixels, { minScore: MIN_SCORE })
    const padded = padPixels(pixels, DEFAULT_ZOOM_OUT)
    const zoomed = (await teacher.detect(padded.image, { minScore: MIN_SCORE })).map((b) => ({ ...b, x: b.x - padded.dx, y: b.y - padded.dy }))
    samples.push({ width: pixels.width, height: pixels.height, label, plain, zoomed })
  }
  return samples
}

function fit(samples: Sample[]): { start: BoxScale; fitted: BoxScale } {
  // Start: median ratios between the label and the uncalibrated box that matches it best.
  const rw: number[] = []
  const rh: number[] = []
  const up: number[] = []
  for (const s of samples) {
    const d = kindled(s, IDENTITY).sort((a, b) => iou(b, s.label) - iou(a, s.label))[0]
    rw.push(s.label.w / d.w)
    rh.push(s.label.h / d.h)
    up.push((d.y + d.h / 2 - (s.label.y + s.label.h / 2)) / d.h)
  }
  const start = { w: round(median(rw), 2), h: round(median(rh), 2), shiftUp: round(median(up), 2) }
  let best = { ...start }
  let bestScore = meanIou(samples, best)
  for (let improved = true; improved;) {
    improved = false
    for (const key of ['w', 'h', 'shiftUp'] as const) {
      for (const step of [0.01, -0.01]) {
        const next = { ...best, [key]: round(best[key] + step, 2) }
        const score = meanIou(samples, next)
        if (score > bestScore + 1e-9) [best, bestScore, improved] = [next, score, true]
      }
    }
  }
  return { start, fitted: best }
}

export default async function blazefaceCalibration(args: string[]) {
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  const count = Number(arg('images') ?? 400)
  const which = arg('variant') ?? 'both'
  const variants: BlazeFaceVariant[] = which === 'both' ? ['back', 'front'] : [which as BlazeFaceVariant]
  await initEngine()

  const train = JSON.parse(fs.readFileSync(path.join(datasets, 'genki', 'szsl-train.coco.json'), 'utf8')) as {
    images: { id: number; file_name: string }[]
    annotations: { image_id: number; bbox: number[] }[]
  }
  const byImage = new Map<number, number[][]>()
  for (const a of train.annotations) byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a.bbox])
  const single = train.images.filter((i) => byImage.get(i.id)?.length === 1)
  const every = Math.max(1, Math.floor(single.length / count))
  const photos = single
    .filter((_, i) => i % every === 0)
    .slice(0, count)
    .map((i) => ({ file: i.file_name, bbox: byImage.get(i.id)![0] }))

  const rows: Record<string, string | number>[] = []
  const result: Record<string, object> = {}
  for (const variant of variants) {
    const t = performance.now()
    const all = await collect(variant, photos)
    // Fit only where the uncalibrated pipeline found this face at all: elsewhere no calibration helps.
    const found = all.filter((s) => bestIou(s, IDENTITY) >= 0.3)
    const { start, fitted } = fit(found)
    const fmt = (b: BoxScale) => `${b.w}x${b.h}+${b.shiftUp}`
    for (const [name, scale] of [
      ['uncalibrated', IDENTITY],
      ['dlib-fitted (before)', DLIB_FITTED[variant]],
      ['median ratios', start],
      ['GENKI-train-fitted', fitted],
    ] as const) {
      rows.push({
        variant,
        calibration: name,
        box: fmt(scale),
        photos: found.length,
        'mean IoU': meanIou(found, scale).toFixed(4),
        'IoU≥0.5': recall(found, scale).toFixed(3),
        'IoU≥0.5 (all)': recall(all, scale).toFixed(3),
      })
    }
    result[variant] = {
      fitted,
      medianRatios: start,
      photos: all.length,
      fittedOn: found.length,
      meanIoU: {
        uncalibrated: round(meanIou(found, IDENTITY), 4),
        before: round(meanIou(found, DLIB_FITTED[variant]), 4),
        fitted: round(meanIou(found, fitted), 4),
      },
      seconds: round((performance.now() - t) / 1000, 1),
    }
  }
  console.log(
    `GENKI-SZSL train, ${photos.length} photos (one labelled face each, every ${every}th), min score ${MIN_SCORE}, zoom-out ${DEFAULT_ZOOM_OUT} (big-face)`,
  )
  console.log(table(rows))
  return result
}
