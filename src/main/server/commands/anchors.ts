// `kindling anchors coverage|match`: the tools a user reaches for when a detector config misbehaves — how well a
// config's anchors cover the project's boxes, and one image's boxes matched to anchors exactly as training does.
import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { z } from 'zod'
import {
  AnchorMatcher,
  anchorCoverage,
  DetectorConfig,
  type CoverageImage,
  formatCoverage,
  padGroundTruth,
  SSD_VARIANCES,
} from '../../detector/index.js'
import { initEngine } from '../../engine/index.js'
import type { Store } from '../../store/index.js'
import { withProject } from '../cli-studio.js'
import { parseOptions, UsageError } from '../usage.js'

export const ANCHORS_USAGE = `  kindling anchors coverage --config FILE --project DIR [--json]
                                                how well a detector's anchors cover a project's boxes, by size
  kindling anchors match --input FILE.json      the matcher's verdict for given anchors and boxes, as one JSON line`

export async function anchorsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'coverage') return coverage(rest)
  if (sub === 'match') return match(rest)
  throw new UsageError(sub === undefined ? 'which one? kindling anchors coverage|match' : `unknown subcommand "anchors ${sub}"`)
}

const parse = <T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) => parseOptions(args, options).values

async function coverage(args: string[]): Promise<number> {
  const values = parse(args, { config: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' } })
  if (!values.config) throw new UsageError('--config FILE is required')
  const config = readJson(values.config, DetectorConfig, 'config')
  return withProject(values.project, false, async (studio) => {
    const { images, otherClasses } = projectBoxes(studio.requireStore(), config.classes)
    await initEngine()
    const report = anchorCoverage(config, images)
    if (values.json) console.log(JSON.stringify({ ...report, otherClasses }))
    else {
      console.log(formatCoverage(report))
      if (otherClasses) console.log(`${otherClasses} boxes of classes the config does not name were left out`)
    }
    return 0
  })
}

/**
 * A project's labelled boxes, per image, for the classes the config names. Predicted boxes (a model's output) are not
 * ground truth and are left out; boxes of other classes are counted in `otherClasses`.
 */
export function projectBoxes(store: Store, classes: readonly string[]): { images: CoverageImage[]; otherClasses: number } {
  const wanted = new Set(classes)
  const images: CoverageImage[] = []
  let otherClasses = 0
  let current: CoverageImage | undefined
  let currentId = -1
  for (const b of store.boxTable.labelsWithSizes()) {
    if (!wanted.has(b.className)) {
      otherClasses++
      continue
    }
    if (b.imageId !== currentId) {
      current = { width: b.width, height: b.height, boxes: [] }
      images.push(current)
      currentId = b.imageId
    }
    current!.boxes.push({ x: b.x, y: b.y, w: b.w, h: b.h })
  }
  return { images, otherClasses }
}

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()])
const Fraction = z.number().min(0).max(1)

/** `anchors match` input: one image's boxes (normalised corners) against a list of anchors. */
export const MatchInput = z
  .strictObject({
    anchors: z
      .array(
        Box.refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1, 'an anchor needs x2 > x1 and y2 > y1').refine(
          (b) => b.every((v) => v > -4 && v < 5),
          'anchor coordinates must lie between -4 and 5 (image sizes)',
        ),
      )
      .min(1),
    boxes: z.array(Box),
    /** Class of each box (≥ 1); all 1 when omitted. */
    labels: z.array(z.number().int().min(1)).optional(),
    pos: Fraction.default(0.5),
    neg: Fraction.default(0.4),
    variances: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]).optional(),
  })
  .refine((m) => m.neg <= m.pos, { message: 'neg must not exceed pos', path: ['neg'] })
  .refine((m) => !m.labels || m.labels.length === m.boxes.length, {
    message: 'needs one label per box',
    path: ['labels'],
  })

async function match(args: string[]): Promise<number> {
  const values = parse(args, { input: { type: 'string' } })
  if (!values.input) throw new UsageError('--input FILE.json is required')
  const input = readJson(values.input, MatchInput, 'input')
  await initEngine()
  const matcher = new AnchorMatcher(input.anchors, { pos: input.pos, neg: input.neg, variances: input.variances ?? SSD_VARIANCES })
  const gt = padGroundTruth([{ boxes: input.boxes, labels: input.labels ?? input.boxes.map(() => 1) }])
  try {
    const result = matcher.match(gt)
    const matches = (result.matches.arraySync() as number[][])[0]
    // Four decimals: offsets are in tenths (fifths) of the anchor's size, so this is finer than a pixel of any anchor,
    // and it keeps float32 noise and the 2^-20 snapping of coordinates (±1e-6 of the image) out of the numbers.
    const offsets = (result.offsets.arraySync() as number[][][])[0].map((o) => o.map((v) => Math.round(v * 1e4) / 1e4 || 0))
    tf.dispose(Object.values(result))
    console.log(JSON.stringify({ matches, offsets }))
    return 0
  } finally {
    tf.dispose(Object.values(gt))
    matcher.dispose()
  }
}

/** Read and validate a JSON file; errors name the file and the first offending field. */
function readJson<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`${what} ${file} is not JSON: ${(error as Error).message}`, { cause: error })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue.path.length ? issue.path.join('.') : '(top level)'
    throw new Error(`${what} ${file}: ${field}: ${issue.message}`)
  }
  return parsed.data
}
