// A detector (or a whole-image classifier: classifier-model.ts) on disk, ready to leave the studio: as ONNX (model.onnx, what ONNX Runtime on the device runs; fp32, and
// int8 as model.int8.onnx when asked for, a classifier's too) and as a TF.js layers model (model.json plus one weight shard, the runner's
// fallback where ONNX Runtime has no binary), with detector.json beside them saying how to use them without the studio
// (detector/description.ts). The TF.js writer is detector/model-folder.ts, shared with training checkpoints; the ONNX
// one is src/main/onnx/.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import {
  buildDetector,
  DetectorConfig,
  describeDetector,
  MODEL_JSON,
  modelFolderSaver,
  preset,
  WEIGHTS_FILE,
  writeFileAtomic,
  type DetectorDescription,
  type ModelOrigin,
} from '../detector/index.js'
import type { Int8Report } from '../../shared/api.js'
import { engineInfo, initEngine } from '../engine/index.js'
import { withSeededRandom } from '../engine/seeded.js'
import { layersToOnnx } from '../onnx/index.js'
import { buildClassifier, ClassifierConfig, classifierPreset, classifierPresetNames, isClassifierConfig } from '../classifier/index.js'
import { describeClassifier, withProbabilities, type ClassifierDescription } from './classifier-model.js'

export { MODEL_JSON, modelFolderSaver, WEIGHTS_FILE } from '../detector/index.js'

export const ONNX_FILE = 'model.onnx'
export const INT8_ONNX_FILE = 'model.int8.onnx'
export const DESCRIPTION_FILE = 'detector.json'
/** The files of each format (the description is written with any of them). */
export const FORMAT_FILES = { onnx: [ONNX_FILE], tfjs: [MODEL_JSON, WEIGHTS_FILE] } as const
export type ModelFormat = keyof typeof FORMAT_FILES

export interface ExportedModel {
  dir: string
  /** The files written, sorted by name: what to upload. */
  files: string[]
  /** sha256 over the files (see `modelFilesHash`): the model's identity, e.g. its folder name on a device. */
  sha256: string
}

/**
 * sha256 over named files, hex: for each file in name order its name, a NUL, its size in bytes (decimal), a NUL,
 * then its bytes. Names and sizes are framed in so that moving bytes from one file to the next changes the hash.
 */
export function modelFilesHash(dir: string, files: readonly string[]): string {
  const hash = createHash('sha256')
  for (const name of [...files].sort()) {
    const bytes = fs.readFileSync(path.join(dir, name))
    hash.update(`${name}\0${bytes.length}\0`)
    hash.update(bytes)
  }
  return hash.digest('hex')
}

/**
 * What a model is, for its export: its config (a detector's outputs, anchors, classes; or a classifier's classes) and
 * where its weights came from.
 */
export interface ExportDetector {
  model: tfl.LayersModel
  config: DetectorConfig | ClassifierConfig
  origin: ModelOrigin
}

export interface ExportOptions {
  /** The formats to write; default both (a deployment's runner picks one on the device). */
  formats?: readonly ModelFormat[]
  /** The int8 model's bytes (onnx/quantize.ts), written as model.int8.onnx beside the fp32 one. */
  int8?: Uint8Array
  /**
   * A detector's decoding score threshold in detector.json, in place of its config's: a run's deploy threshold
   * (Run.threshold, chosen on the Evaluate page) travels with the model this way.
   */
  scoreThreshold?: number
}

/**
 * Write a detector into `dir` (created if missing; other files there are left alone and not hashed): the formats
 * asked for and detector.json. The sha256 covers exactly the files written.
 */
export async function exportModel(detector: ExportDetector, dir: string, options: ExportOptions = {}): Promise<ExportedModel> {
  const formats = options.formats ?? (['onnx', 'tfjs'] as const)
  if (formats.length === 0) throw new Error('no model format to export: ask for onnx, tfjs or both')
  if (options.int8 && !formats.includes('onnx')) throw new Error('an int8 model is ONNX: export the onnx format with it')
  const classifier = isClassifierConfig(detector.config)
  // A classifier answers with probabilities outside the studio (its checkpoint keeps logits).
  const model = classifier ? withProbabilities(detector.model) : detector.model
  fs.mkdirSync(dir, { recursive: true })
  const files: string[] = [DESCRIPTION_FILE]
  if (formats.includes('tfjs')) {
    await model.save(modelFolderSaver(dir))
    files.push(MODEL_JSON, WEIGHTS_FILE)
  }
  if (formats.includes('onnx')) {
    const docString = `${detector.config.name} (Kindling Studio): how to run it is in ${DESCRIPTION_FILE} beside this file`
    writeFileAtomic(path.join(dir, ONNX_FILE), layersToOnnx(model, { docString }))
    files.push(ONNX_FILE)
    if (options.int8) {
      writeFileAtomic(path.join(dir, INT8_ONNX_FILE), options.int8)
      files.push(INT8_ONNX_FILE)
    }
  }
  const description = isClassifierConfig(detector.config)
    ? describeClassifier(detector.config, detector.origin, {
        onnx: ONNX_FILE,
        ...(options.int8 ? { onnxInt8: INT8_ONNX_FILE } : {}),
        tfjs: MODEL_JSON,
      })
    : describeDetector(withScoreThreshold(detector.config, options.scoreThreshold), detector.origin, {
        onnx: ONNX_FILE,
        ...(options.int8 ? { onnxInt8: INT8_ONNX_FILE } : {}),
        tfjs: MODEL_JSON,
      })
  writeFileAtomic(path.join(dir, DESCRIPTION_FILE), JSON.stringify(description, null, 2))
  files.sort()
  return { dir, files, sha256: modelFilesHash(dir, files) }
}

function withScoreThreshold(config: DetectorConfig, scoreThreshold: number | undefined): DetectorConfig {
  return scoreThreshold === undefined ? config : { ...config, decoding: { ...config.decoding, scoreThreshold } }
}

export interface ExportPresetOptions {
  /**
   * Fresh random weights, different on every export (so a new model, and a new sha256, each time). Default false:
   * the weights are drawn from `seed`, so the same preset and seed give the same files and the same sha256.
   */
  randomWeights?: boolean
  /** Seed for the weights when `randomWeights` is off; default 1. */
  seed?: number
}

/** A detector preset's config, or a classifier preset's (the Devices page deploys either). */
export function anyPreset(presetName: string): DetectorConfig | ClassifierConfig {
  return classifierPresetNames.includes(presetName) ? classifierPreset(presetName) : preset(presetName)
}

/**
 * An untrained detector (or classifier) built from a preset, with its initial weights — which benchmark exactly like
 * trained ones (same layers, same shapes): what a user measures before training, to choose a preset for their Pi.
 */
export async function presetModel(presetName: string, options: ExportPresetOptions = {}): Promise<tfl.LayersModel> {
  const config = anyPreset(presetName)
  if (engineInfo() === null) await initEngine()
  const build = () => (isClassifierConfig(config) ? buildClassifier(config).model : buildDetector(config).model)
  return options.randomWeights ? build() : withSeededRandom(options.seed ?? 1, build)
}

/** Export `presetModel(presetName, options)` into `dir`. */
export async function exportPreset(presetName: string, dir: string, options: ExportPresetOptions & ExportOptions = {}): Promise<ExportedModel> {
  const model = await presetModel(presetName, options)
  try {
    const origin = { preset: presetName, ...(options.randomWeights ? { randomWeights: true } : {}) }
    return await exportModel({ model, config: anyPreset(presetName), origin }, dir, options)
  } finally {
    model.dispose()
  }
}

/**
 * Add an int8 model to an export folder (a detector's or a classifier's): model.int8.onnx, and detector.json naming it
 * and what it costs.
 */
export function addInt8(dir: string, bytes: Uint8Array, report: Int8Report): void {
  const file = path.join(dir, DESCRIPTION_FILE)
  const description = JSON.parse(fs.readFileSync(file, 'utf8')) as DetectorDescription | ClassifierDescription
  writeFileAtomic(path.join(dir, INT8_ONNX_FILE), bytes)
  description.files = { ...description.files, onnxInt8: INT8_ONNX_FILE }
  description.int8 = report
  writeFileAtomic(file, JSON.stringify(description, null, 2))
}

/**
 * A model folder's detector.json: a training checkpoint's or an export's; both carry the model's config, a detector's
 * or (with `task: 'classify'`) a classifier's.
 */
export function readFolderModel(dir: string): { config: DetectorConfig | ClassifierConfig; origin: ModelOrigin } {
  const file = path.join(dir, DESCRIPTION_FILE)
  let json: { config?: unknown; origin?: ModelOrigin; runId?: number; epoch?: number }
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read: ${(error as Error).message}`
    throw new Error(`${file} ${why}: a model folder needs the detector's description (export it with the studio)`, { cause: error })
  }
  const classifier = isClassifierConfig(json?.config)
  const config = (classifier ? ClassifierConfig : DetectorConfig).safeParse(json?.config)
  if (!config.success)
    throw new Error(
      `${file} has no valid ${classifier ? 'classifier' : 'detector'} config (${config.error.issues[0].message} at config.${config.error.issues[0].path.join('.')})`,
    )
  const origin =
    json.origin ??
    (typeof json.runId === 'number' && typeof json.epoch === 'number' ? { runId: json.runId, epoch: json.epoch } : { preset: config.data.name })
  return { config: config.data, origin }
}

export interface ExportFolderOptions extends ExportOptions {
  /**
   * Fresh random weights in the folder's architecture (same layers and shapes, only the weights differ): the other half
   * of "trained versus randomly initialised", to see whether trained — sparser — activations run faster on a device.
   */
  reinitialize?: boolean
}

/**
 * Re-export a model folder — a training checkpoint, or an earlier export — into `outDir` in the formats asked for
 * (e.g. to add ONNX to a TF.js-only folder), or with fresh random weights.
 */
export async function exportFolder(modelDir: string, outDir: string, options: ExportFolderOptions = {}): Promise<ExportedModel> {
  const { config, origin } = readFolderModel(modelDir)
  if (engineInfo() === null) await initEngine()
  const tflayers = await import('@tensorflow/tfjs-layers')
  let model: tfl.LayersModel
  if (options.reinitialize) {
    const file = path.join(modelDir, MODEL_JSON)
    let topology: unknown
    try {
      topology = (JSON.parse(fs.readFileSync(file, 'utf8')) as { modelTopology?: unknown }).modelTopology
    } catch (error) {
      throw new Error(`cannot read the model in ${modelDir}: ${(error as Error).message}`, { cause: error })
    }
    if (!topology || typeof topology !== 'object') throw new Error(`${file} is not a TF.js layers model (no modelTopology)`)
    // Building a model from its topology alone initialises every weight with the layer's own initializer.
    model = await tflayers.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] })
  } else {
    const { modelFolder } = await import('../../runner/load-model.js')
    model = await tflayers.loadLayersModel(modelFolder(modelDir))
  }
  try {
    return await exportModel({ model, config, origin: options.reinitialize ? { ...origin, randomWeights: true } : origin }, outDir, options)
  } finally {
    model.dispose()
  }
}

/** The architecture of the model in `modelDir` with fresh random weights, exported into `outDir`. */
export const exportReinitialized = (modelDir: string, outDir: string): Promise<ExportedModel> =>
  exportFolder(modelDir, outDir, { reinitialize: true })
