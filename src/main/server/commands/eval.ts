// `kindling eval`: score COCO results-format detections against COCO ground truth, print a per-class table and a
// last line `RESULT {"ap50":…,"ap":…,"recall":…}` for scripts. Like the other commands it throws rather than exits:
// a CocoFileError (or any Error) is a one-line reason for exit 1, a UsageError a bad command line for exit 2.
import {
  CocoFileError,
  DEFAULT_EVAL_OPTIONS,
  evaluate,
  loadCocoDetections,
  loadCocoGroundTruth,
  type ClassEvaluation,
  type Evaluation,
} from '../../eval/index.js'
import { parseOptions, UsageError } from '../usage.js'
import { EVAL_RUN_USAGE, evalRunCommand } from './eval-run.js'

export const EVAL_USAGE =
  '  kindling eval --gt GT.coco.json --pred DETECTIONS.json [--iou 0.5] [--max-dets 100] [--unlabelled-unknown] [--json]\n' +
  '                                                score detections (COCO results format) against COCO ground truth\n' +
  EVAL_RUN_USAGE

interface EvalArgs {
  gt: string
  pred: string
  iou: number
  maxDetections: number
  unlabelledAreUnknown: boolean
  json: boolean
}

export function parseEvalArgs(args: string[]): EvalArgs {
  const { values } = parseOptions(args, {
    gt: { type: 'string' },
    pred: { type: 'string' },
    iou: { type: 'string' },
    'max-dets': { type: 'string' },
    'unlabelled-unknown': { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (!values.gt) throw new UsageError('--gt GT.coco.json is required (COCO ground truth)')
  if (!values.pred) throw new UsageError('--pred DETECTIONS.json is required (COCO results-format detections)')
  const iou = values.iou === undefined ? DEFAULT_EVAL_OPTIONS.iou : Number(values.iou)
  if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou must be a number in (0, 1], not "${values.iou}"`)
  const maxDetections = values['max-dets'] === undefined ? DEFAULT_EVAL_OPTIONS.maxDetections : Number(values['max-dets'])
  if (!(Number.isInteger(maxDetections) && maxDetections > 0)) {
    throw new UsageError(`--max-dets must be a positive whole number, not "${values['max-dets']}"`)
  }
  return {
    gt: values.gt,
    pred: values.pred,
    iou,
    maxDetections,
    unlabelledAreUnknown: values['unlabelled-unknown'] ?? false,
    json: values.json ?? false,
  }
}

export async function evalCommand(args: string[]): Promise<number> {
  // A run's checkpoint on the project's photos, or two COCO files: --run says which.
  if (args.some((arg) => arg === '--run' || arg.startsWith('--run='))) return evalRunCommand(args)
  const a = parseEvalArgs(args)
  const gt = await loadCocoGroundTruth(a.gt)
  const detections = await loadCocoDetections(a.pred, gt)
  if (!gt.groundTruth.some((g) => !g.crowd && !g.ignore)) {
    // Every AP would be undefined: better to say so than to print a table of dashes and exit 0.
    throw new CocoFileError(a.gt, 'annotations', 'no boxes to evaluate against (none, or all crowd/ignored)')
  }
  const result = evaluate(
    { classes: gt.classes, groundTruth: gt.groundTruth, detections },
    { iou: a.iou, maxDetections: a.maxDetections, unlabelledAreUnknown: a.unlabelledAreUnknown },
  )
  if (a.json) {
    console.log(JSON.stringify({ gt: a.gt, pred: a.pred, images: gt.images.size, ...result }))
    return 0
  }
  console.log(`${a.pred} against ${a.gt}: ${gt.images.size} images, ${plural(detections.length, 'detection')}`)
  console.log('')
  for (const line of table(result)) console.log(line)
  for (const line of notes(result)) console.log(line)
  console.log(`RESULT ${JSON.stringify({ ap50: result.ap50, ap: result.ap, recall: result.recall })}`)
  return 0
}

function table(result: Evaluation): string[] {
  const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(3))
  const header = ['class', 'gt', 'detections', `AP@${result.options.iou}`, 'AP 0.50:0.95', 'recall']
  const rows = result.classes.map((c: ClassEvaluation) => [c.name, String(c.gt), String(c.detections), fmt(c.ap50), fmt(c.ap), fmt(c.recall)])
  if (result.classes.length > 1) {
    const sum = (pick: (c: ClassEvaluation) => number) => String(result.classes.reduce((s, c) => s + pick(c), 0))
    rows.push(['mean', sum((c) => c.gt), sum((c) => c.detections), fmt(result.ap50), fmt(result.ap), fmt(result.recall)])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  // Class names left-aligned, numbers right-aligned, so the decimal points line up.
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/** What was left out of the numbers, so nobody wonders why detections and tp + fp do not add up. */
function notes(result: Evaluation): string[] {
  const total = (pick: (c: ClassEvaluation) => number) => result.classes.reduce((s, c) => s + pick(c), 0)
  const { maxDetections, unknownIou, iou } = result.options
  const out: string[] = []
  const dropped = total((c) => c.dropped)
  if (dropped) {
    out.push(`${plural(dropped, 'detection')} beyond the best ${maxDetections} per image and class not counted (--max-dets)`)
  }
  const ignored = total((c) => c.ignored)
  if (ignored) out.push(`${plural(ignored, 'detection')} on crowd or ignored labels not counted (at IoU ${iou})`)
  const unknown = total((c) => c.unknown)
  if (result.options.unlabelledAreUnknown) {
    out.push(`${plural(unknown, 'detection')} overlapping no label (IoU < ${unknownIou}) not counted (--unlabelled-unknown)`)
  }
  const noGt = result.classes.filter((c) => c.gt === 0).map((c) => c.name)
  if (noGt.length) out.push(`no labels for ${noGt.join(', ')}: left out of the means`)
  return out.length ? ['', ...out.map((n) => `note: ${n}`)] : []
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
