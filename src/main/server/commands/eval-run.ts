// `kindling eval --project DIR --run ID`: evaluate a run's checkpoint on a split through the same studio as the Evaluate
// page (the same job, the same cache: a checkpoint evaluated before is not inferred again), then print the per-class
// table, recall by box size and the threshold with the best F1, and end with `RESULT {json}`. Val unless --split test
// is given, and the output says which split it scored.
import { EvalIou, EvalSplit, type EvaluationReport, StudioError } from '../../../shared/api.js'
import { runJobFromCli, withProject } from '../cli-studio.js'
import { parseOptions, UsageError } from '../usage.js'

export const EVAL_RUN_USAGE =
  '  kindling eval --project DIR --run ID [--epoch N] [--split val|test] [--iou 0.5|0.75|coco] [--again] [--json]\n' +
  "                                                evaluate a run's best checkpoint (or epoch N's) on val (or test):\n" +
  '                                                AP per class, recall by box size, the best-F1 threshold; reuses an\n' +
  '                                                evaluation already done unless --again; ends with RESULT {…}'

interface EvalRunArgs {
  project: string
  runId: number
  epoch?: number
  split: EvalSplit
  iou: EvalIou
  again: boolean
  json: boolean
}

export function parseEvalRunArgs(args: string[]): EvalRunArgs {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    run: { type: 'string' },
    epoch: { type: 'string' },
    split: { type: 'string' },
    iou: { type: 'string' },
    again: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (!values.project) throw new UsageError('--project DIR is required with --run')
  const whole = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (!/^\d+$/.test(value.trim()) || n < 1) throw new UsageError(`--${flag} must be a whole number from 1, not "${value}"`)
    return n
  }
  const split = EvalSplit.safeParse(values.split ?? 'val')
  if (!split.success) throw new UsageError(`--split must be val or test, not "${values.split}"`)
  const iouText = values.iou ?? '0.5'
  const iou = EvalIou.safeParse(iouText === 'coco' ? 'coco' : Number(iouText))
  if (!iou.success) throw new UsageError(`--iou must be 0.5, 0.75 or coco, not "${values.iou}"`)
  return {
    project: values.project,
    runId: whole('run', values.run)!,
    epoch: whole('epoch', values.epoch),
    split: split.data,
    iou: iou.data,
    again: values.again ?? false,
    json: values.json ?? false,
  }
}

export async function evalRunCommand(args: string[]): Promise<number> {
  const a = parseEvalRunArgs(args)
  try {
    return await withProject(a.project, false, async (studio) => {
      const started = studio.evaluate({ runId: a.runId, epoch: a.epoch, split: a.split, again: a.again })
      const cached = started.job === null
      if (started.job) {
        const job = started.job
        const { final } = await runJobFromCli(studio, () => ({ job }), {
          json: a.json,
          sigterm: true,
          progressLine: (p) => `evaluating: ${p.done}/${p.total ?? '?'} photos`,
        })
        if (final.state === 'failed') throw new Error(`the evaluation failed: ${final.message ?? 'unknown reason'}`)
        if (final.state === 'cancelled') {
          console.error('kindling: evaluation cancelled (nothing kept to report)')
          return 1
        }
        for (const s of final.skipped) console.error(`skipped ${s.path}: ${s.reason}`)
      }
      const evaluation = studio.project!.evaluations.get(started.evaluationId)!
      const report = await studio.handlers['evaluations.get']({ runId: a.runId, epoch: evaluation.epoch, split: a.split, iou: a.iou })
      if (!report) throw new Error(`evaluation ${started.evaluationId} did not finish (${evaluation.state})`)
      const run = studio.project!.runs.get(a.runId)!
      const result = resultOf(report, cached)
      if (a.json) {
        console.log(JSON.stringify({ ...result, report }))
        return 0
      }
      for (const line of describe(report, run.name, cached)) console.log(line)
      console.log(`RESULT ${JSON.stringify(result)}`)
      return 0
    })
  } catch (error) {
    if (error instanceof StudioError) throw new Error(error.message, { cause: error })
    throw error
  }
}

function resultOf(r: EvaluationReport, cached: boolean) {
  const e = r.evaluation
  return {
    evaluationId: e.id,
    runId: e.runId,
    epoch: e.epoch,
    split: e.split,
    iou: r.iou,
    cached,
    photos: r.labelledPhotos,
    labelled: r.labelled,
    ap50: r.ap50,
    ap75: r.ap75,
    ap: r.ap,
    bestF1: r.bestF1 && { score: r.bestF1.score, precision: r.bestF1.precision, recall: r.bestF1.recall, f1: r.bestF1.f1 },
    sizes: Object.fromEntries(r.sizes.map((s) => [s.size, { labelled: s.labelled, recall: s.recall, recallAtAnyScore: s.recallAtAnyScore }])),
    classes: r.classes.map((c) => ({ name: c.name, labelled: c.labelled, ap50: c.ap50, ap75: c.ap75, ap: c.ap })),
    runThreshold: r.runThreshold,
  }
}

const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(3))
const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`)

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

function describe(r: EvaluationReport, runName: string, cached: boolean): string[] {
  const e = r.evaluation
  const split = e.split === 'test' ? 'the TEST split (kept for a final score)' : 'val'
  const out = [
    `Run ${e.runId} (${runName}), epoch ${e.epoch}, scored on ${split}: ${r.labelledPhotos} labelled photos, ` +
      `${r.labelled} labelled boxes, ${e.detections} detections kept (score ≥ ${e.minScore}, at most ${e.topK} a photo)` +
      (cached ? ` — the evaluation of ${new Date(e.finishedAt ?? e.startedAt).toISOString()}, not inferred again` : ''),
    '',
  ]
  const rows = r.classes.map((c) => [c.name, String(c.labelled), String(c.detections), fmt(c.ap50), fmt(c.ap75), fmt(c.ap)])
  if (r.classes.length > 1) rows.push(['mean', String(r.labelled), String(e.detections), fmt(r.ap50), fmt(r.ap75), fmt(r.ap)])
  out.push(...table(['class', 'labelled', 'detections', 'AP50', 'AP75', 'AP'], rows), '')
  const at = r.threshold.toFixed(3)
  out.push(
    ...table(
      ['size (box area)', 'labelled', `recall at ${at}`, 'recall at any score'],
      r.sizes.map((s) => [
        `${s.size} (${s.maxArea === null ? `≥ ${Math.sqrt(s.minArea)}²` : `< ${Math.sqrt(s.maxArea)}²`} px)`,
        String(s.labelled),
        pct(s.recall),
        pct(s.recallAtAnyScore),
      ]),
    ),
    '',
  )
  const iouText = r.iou === 'coco' ? '0.5 (AP averaged over 0.50:0.95)' : String(r.iou)
  if (r.bestF1) {
    const b = r.bestF1
    out.push(
      `Best F1 at IoU ${iouText}: threshold ${b.score.toFixed(3)} — precision ${pct(b.precision)}, recall ${pct(b.recall)}, ` +
        `F1 ${b.f1.toFixed(3)} (${b.fp} false alarms, ${b.misses} misses)`,
    )
  } else out.push(`Best F1 at IoU ${iouText}: none — no detection finds a labelled box`)
  out.push(
    r.runThreshold === null
      ? 'The run\'s deploy threshold: none set (the Evaluate page\'s "Use for deploy" sets one)'
      : `The run's deploy threshold: ${r.runThreshold} (precision ${pct(r.at.precision)}, recall ${pct(r.at.recall)} there)`,
  )
  return out
}
