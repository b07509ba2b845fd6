// `kindling export-model`: a detector (or a whole-image classifier) out of the studio — a run's checkpoint (through the same job as the Train page's
// Export) or a preset's initial weights — as ONNX and/or TF.js with detector.json beside them, int8 too when asked.
// Ends with `RESULT {json}`.
import path from 'node:path'
import { ExportSettings, type ModelFormat, StudioError } from '../../../shared/api.js'
import { int8CostText } from '../../../shared/int8-cost.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'

export const EXPORT_MODEL_USAGE =
  `  kindling export-model (--project DIR --run ID [--epoch N] | --preset NAME) --out DIR [--format onnx|tfjs|onnx,tfjs]\n` +
  `                       [--int8 [--calibration-photos N]]\n` +
  `                                                write a run's best checkpoint (or epoch N's), or a preset's initial\n` +
  `                                                weights, as ONNX (model.onnx, opset 13, batch norm folded) and/or\n` +
  `                                                TF.js, with detector.json (input, anchors, box coder, classes,\n` +
  `                                                thresholds; a classifier's: classes and its one probabilities\n` +
  `                                                output); --int8 adds model.int8.onnx calibrated on the project's\n` +
  `                                                train photos, with its val AP50 (a classifier's: accuracy) against\n` +
  `                                                fp32`

const FORMATS: readonly ModelFormat[] = ['onnx', 'tfjs']

interface ExportModelArgs {
  project?: string
  runId?: number
  epoch?: number
  preset?: string
  out: string
  formats: ModelFormat[]
  int8: boolean
  calibrationPhotos?: number
}

export function parseExportModelArgs(args: string[]): ExportModelArgs {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    run: { type: 'string' },
    epoch: { type: 'string' },
    preset: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    int8: { type: 'boolean' },
    'calibration-photos': { type: 'string' },
  })
  if ((values.run === undefined) === (values.preset === undefined)) {
    throw new UsageError('give either --run ID (with --project DIR) or --preset NAME')
  }
  if (!values.out) throw new UsageError('--out DIR is required: the folder the model files are written to')
  const whole = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not "${value}"`)
    return Number(value)
  }
  const formats = (values.format ?? 'onnx,tfjs').split(',').map((f) => f.trim())
  const unknown = formats.find((f) => !FORMATS.includes(f as ModelFormat))
  if (unknown !== undefined) throw new UsageError(`--format: "${unknown}" is not a model format (onnx, tfjs)`)
  if (values.run !== undefined && !values.project) throw new UsageError('--run needs --project DIR, the project the run is in')
  if (values.preset !== undefined && values.epoch !== undefined) throw new UsageError('--epoch is for --run: a preset has no checkpoints')
  if (values.preset !== undefined && values.int8) {
    throw new UsageError('--int8 calibrates on a project’s photos and scores on its val split: export a trained --run')
  }
  if (values.int8 && !formats.includes('onnx')) throw new UsageError('--int8 is an ONNX model: include onnx in --format')
  return {
    project: values.project,
    runId: whole('run', values.run),
    epoch: whole('epoch', values.epoch),
    preset: values.preset,
    out: path.resolve(values.out),
    formats: [...new Set(formats)] as ModelFormat[],
    int8: values.int8 ?? false,
    calibrationPhotos: whole('calibration-photos', values['calibration-photos']),
  }
}

const sizes = (files: { name: string; bytes: number }[]) => files.map((f) => `  ${f.name}  ${(f.bytes / 1e6).toFixed(2)} MB`).join('\n')

export async function exportModelCommand(args: string[]): Promise<number> {
  const a = parseExportModelArgs(args)
  if (a.preset !== undefined) {
    const fs = await import('node:fs')
    const { exportPreset } = await import('../../deploy/export-model.js')
    ;(await import('../../deploy/export-run.js')).assertReplaceable(a.out)
    const exported = await exportPreset(a.preset, a.out, { formats: a.formats })
    const files = exported.files.map((name) => ({ name, bytes: fs.statSync(path.join(exported.dir, name)).size }))
    console.log(`Exported preset ${a.preset} (initial weights) to ${exported.dir}:\n${sizes(files)}`)
    console.log(`RESULT ${JSON.stringify({ preset: a.preset, dir: exported.dir, files: exported.files, sha256: exported.sha256 })}`)
    return 0
  }
  const settings = ExportSettings.parse({
    runId: a.runId,
    epoch: a.epoch,
    formats: a.formats,
    int8: a.int8,
    ...(a.calibrationPhotos !== undefined ? { calibrationPhotos: a.calibrationPhotos } : {}),
  })
  try {
    return await withProject(a.project, false, async (studio) => {
      let lastMessage = ''
      const { final, result } = await runJobFromCli(studio, () => studio.exportRun(settings, { out: a.out }), {
        sigterm: true,
        onEvent: (e, { job }) => {
          if (e.event !== 'job.progress' || e.payload.jobId !== job.id || e.payload.state !== 'running') return
          if (e.payload.message && e.payload.message !== lastMessage) console.log((lastMessage = e.payload.message))
        },
      })
      if (final.state !== 'done') {
        console.error(`kindling: the export ${final.state === 'cancelled' ? 'was cancelled' : `failed: ${final.message ?? 'unknown reason'}`}`)
        return 1
      }
      const exported = await result
      if (exported === null) {
        console.error('kindling: the export was cancelled')
        return 1
      }
      console.log(`Exported run ${exported.runId} (epoch ${exported.epoch}) to ${exported.dir}:\n${sizes(exported.files)}`)
      if (exported.int8) console.log(int8CostText(exported.int8))
      console.log(`RESULT ${JSON.stringify({ ...exported, files: exported.files.map((f) => f.name) })}`)
      return 0
    })
  } catch (error) {
    if (error instanceof StudioError) throw new Error(error.message, { cause: error })
    throw error
  }
}
