// Exporting a trained run: its checkpoint (the best, or an epoch's) written as ONNX and TF.js into the project's
// exports/run-<id>-epoch-<n>/ — or a folder the CLI names — with detector.json, and with int8 when asked: calibrated on
// the project's train photos and scored against fp32 on val, so the user sees what int8 costs before deploying it.
// The folder appears whole or not at all (written beside it, then renamed), so a cancelled or failed export leaves
// the previous one in place. The exports are their own record: `listExports` reads their detector.json files. A
// classifier run exports the same way (its model ending in class probabilities, classifier-model.ts), int8 included:
// calibrated on the same train photos, its cost the accuracy lost on the val photos with the run's tag.
import fs from 'node:fs'
import path from 'node:path'
import { ExportSettings, type Int8Report, type ModelExport, StudioError, type TrainSettings } from '../../shared/api.js'
import { DetectorConfig, type DetectorDescription } from '../detector/index.js'
import { engineInfo, initEngine } from '../engine/index.js'
import type { JobContext } from '../jobs/index.js'
import type { Store } from '../store/index.js'
import { runCheckpoint } from '../train/index.js'
import { ClassifierConfig, isClassifierConfig } from '../classifier/index.js'
import { CLASSIFIER_FORMAT } from './classifier-model.js'
import { addInt8, DESCRIPTION_FILE, exportFolder, modelFilesHash, ONNX_FILE } from './export-model.js'

/**
 * The int8 model of an fp32 ONNX model, calibrated on the project's train photos, and what it costs: both scored on
 * the val split by ONNX Runtime — a detector's AP50 with the studio's decoder, a classifier's accuracy on the photos
 * with the run's tag (onnx/quantize.ts, onnx/accuracy.ts, onnx/classifier-accuracy.ts).
 */
export async function projectInt8(
  store: Store,
  config: DetectorConfig | ClassifierConfig,
  fp32: Uint8Array,
  calibrationPhotos: number,
  say: (message: string) => void = () => {},
  run: Pick<TrainSettings, 'labels' | 'classMap' | 'tag'> = { labels: 'all' },
): Promise<{ bytes: Uint8Array; report: Int8Report }> {
  const { quantizeForProject, int8AccuracyCost, classifierInt8Cost } = await import('../onnx/index.js')
  say(`int8: calibrating on up to ${calibrationPhotos} train photos`)
  const quantized = await quantizeForProject(store, fp32, config, { calibrationPhotos })
  const models = { fp32, int8: quantized.int8 }
  if (isClassifierConfig(config)) {
    const unscored = unscoredReport('accuracy', quantized.calibrationPhotos)
    // A classifier is scored on its tag's val photos; a run always names its tag (an older record may not).
    if (!run.tag) return { bytes: quantized.int8, report: unscored }
    say(`int8: scoring fp32 and int8 on the val photos tagged ${run.tag} (set or not)`)
    const cost = await classifierInt8Cost(store, models, config, { tag: run.tag, labels: run.labels })
    const report = { ...unscored, valPhotos: cost.valPhotos, fp32Accuracy: cost.fp32Accuracy, int8Accuracy: cost.int8Accuracy }
    return { bytes: quantized.int8, report: cost.valPhotos > 0 ? report : unscored }
  }
  say('int8: scoring fp32 and int8 on the val split')
  const cost = await int8AccuracyCost(store, models, config, run)
  const report = {
    ...unscoredReport('ap50', quantized.calibrationPhotos),
    valPhotos: cost.valPhotos,
    fp32Ap50: cost.fp32Ap50,
    int8Ap50: cost.int8Ap50,
  }
  return { bytes: quantized.int8, report: cost.valPhotos > 0 ? report : { ...report, valPhotos: 0, fp32Ap50: null, int8Ap50: null } }
}

/** An int8 report before (or without) scoring: calibrated, nothing measured on val. */
function unscoredReport(metric: 'ap50' | 'accuracy', calibrationPhotos: number): Int8Report {
  return {
    calibrationPhotos,
    valPhotos: 0,
    metric,
    fp32Ap50: null,
    int8Ap50: null,
    ...(metric === 'accuracy' ? { fp32Accuracy: null, int8Accuracy: null } : {}),
  }
}

/**
 * Add int8 to an export folder, calibrated on the project's train photos but not scored (an untrained preset has no
 * accuracy to lose; a deployment's own export is measured by deploying it): the report says so with null scores (valPhotos 0).
 */
export async function addProjectInt8(store: Store, dir: string, calibrationPhotos = 300): Promise<void> {
  const { quantizeForProject } = await import('../onnx/index.js')
  const description = JSON.parse(fs.readFileSync(path.join(dir, DESCRIPTION_FILE), 'utf8')) as DetectorDescription
  const classifier = isClassifierConfig(description.config)
  const config = classifier ? ClassifierConfig.parse(description.config) : DetectorConfig.parse(description.config)
  const fp32 = fs.readFileSync(path.join(dir, ONNX_FILE))
  const quantized = await quantizeForProject(store, fp32, config, { calibrationPhotos })
  addInt8(dir, quantized.int8, unscoredReport(classifier ? 'accuracy' : 'ap50', quantized.calibrationPhotos))
}

export const exportsDir = (projectDir: string) => path.join(projectDir, 'exports')
export const runExportDir = (projectDir: string, runId: number, epoch: number) =>
  path.join(exportsDir(projectDir), `run-${runId}-epoch-${epoch}`)

/**
 * A folder an export may replace: new, empty, or an earlier export (its detector.json says so). Anything else — a
 * user's folder of other files given as --out — is refused, never emptied.
 */
export function assertReplaceable(dir: string): void {
  let entries: string[]
  try {
    entries = fs.readdirSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new StudioError(`${dir} cannot be written to: ${(error as Error).message}`, 'invalid', 'out')
  }
  if (entries.length === 0) return
  try {
    const description = JSON.parse(fs.readFileSync(path.join(dir, DESCRIPTION_FILE), 'utf8')) as { format?: string }
    if (description.format === 'kindling-detector' || description.format === CLASSIFIER_FORMAT) return
  } catch {
    // not an export
  }
  throw new StudioError(`${dir} holds other files and is not an earlier export: give a new or empty folder`, 'conflict', 'out')
}

/** The checks that can fail at once (the run, its checkpoint, the folder), before a job starts. */
export function prepareExport(store: Store, input: ExportSettings, out?: string) {
  const settings = ExportSettings.parse(input)
  if (out !== undefined) assertReplaceable(path.resolve(out))
  if (settings.int8 && !settings.formats.includes('onnx')) {
    throw new StudioError('an int8 model is ONNX: export the onnx format to have int8', 'invalid', 'params.int8')
  }
  const checkpoint = runCheckpoint(store, settings.runId, settings.epoch)
  return { settings, checkpoint }
}

export async function exportRunJob(
  store: Store,
  prepared: ReturnType<typeof prepareExport>,
  ctx: JobContext,
  options: { out?: string } = {},
): Promise<ModelExport | null> {
  const { settings, checkpoint } = prepared
  const { runId } = settings
  const epoch = checkpoint.info.epoch
  const final = path.resolve(options.out ?? runExportDir(store.dir, runId, epoch))
  const partial = `${final}.partial-${process.pid}`
  fs.rmSync(partial, { recursive: true, force: true })
  ctx.report({ done: 0, total: null, message: `exporting run ${runId}, epoch ${epoch}` })
  try {
    if (engineInfo() === null) await initEngine()
    // The run's deploy threshold, when a person chose one, is the exported detector's score threshold.
    const scoreThreshold = store.runs.get(runId)?.threshold ?? undefined
    await exportFolder(checkpoint.dir, partial, { formats: settings.formats, scoreThreshold })
    let int8: Int8Report | null = null
    if (settings.int8) {
      const fp32 = fs.readFileSync(path.join(partial, ONNX_FILE))
      const stored = checkpoint.info.config
      const config = isClassifierConfig(stored) ? ClassifierConfig.parse(stored) : DetectorConfig.parse(stored)
      // Scored on val as the run evaluated: its labels and its class map (a classifier's: its tag).
      const run = store.runs.record(runId)?.settings ?? { labels: 'all' as const }
      const made = await projectInt8(store, config, fp32, settings.calibrationPhotos, (message) => ctx.report({ message }), run)
      // Cancelled while int8 was made: nothing replaces the previous export.
      if (ctx.signal.aborted) return null
      int8 = made.report
      addInt8(partial, made.bytes, made.report)
    }
    fs.rmSync(final, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(final), { recursive: true })
    fs.renameSync(partial, final)
    const exported = readExport(final)
    if (!exported) throw new Error(`the export in ${final} cannot be read back`)
    ctx.report({ done: 1, total: 1, message: `exported to ${final}${int8 ? ' (with int8)' : ''}` })
    return exported
  } finally {
    fs.rmSync(partial, { recursive: true, force: true })
  }
}

/** An export folder as the API shows it, or null when it is not one (no readable detector.json from a run). */
export function readExport(dir: string): ModelExport | null {
  let description: DetectorDescription
  try {
    description = JSON.parse(fs.readFileSync(path.join(dir, DESCRIPTION_FILE), 'utf8'))
  } catch {
    return null
  }
  const origin = description?.origin as { runId?: number; epoch?: number } | undefined
  if (typeof origin?.runId !== 'number' || typeof origin.epoch !== 'number') return null
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => ({ name: d.name, bytes: fs.statSync(path.join(dir, d.name)).size }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
  return {
    dir,
    runId: origin.runId,
    epoch: origin.epoch,
    files,
    sha256: modelFilesHash(
      dir,
      files.map((f) => f.name),
    ),
    exportedAt: fs.statSync(path.join(dir, DESCRIPTION_FILE)).mtimeMs,
    int8: description.int8 ?? null,
  }
}

/** The project's run exports (of one run, or all), newest first. */
export function listExports(projectDir: string, runId?: number): ModelExport[] {
  const root = exportsDir(projectDir)
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^run-\d+-epoch-\d+$/.test(d.name))
    .map((d) => readExport(path.join(root, d.name)))
    .filter((e): e is ModelExport => e !== null && (runId === undefined || e.runId === runId))
    .sort((a, b) => b.exportedAt - a.exportedAt)
}
