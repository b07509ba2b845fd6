// A detector on disk in TF.js layers format — model.json plus one weight shard — which is what the device runner
// loads (src/runner/load-model.ts). The writer itself is detector/model-folder.ts, shared with training checkpoints.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { buildDetector, MODEL_JSON, modelFolderSaver, preset, WEIGHTS_FILE } from '../detector/index.js'
import { engineInfo, initEngine } from '../engine/index.js'
import { withSeededRandom } from '../engine/seeded.js'

export { MODEL_JSON, modelFolderSaver, WEIGHTS_FILE } from '../detector/index.js'

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

/** Save a layers model into `dir` (created if missing; other files there are left alone and not hashed). */
export async function exportModel(model: tfl.LayersModel, dir: string): Promise<ExportedModel> {
  await model.save(modelFolderSaver(dir))
  const files = [MODEL_JSON, WEIGHTS_FILE].sort()
  return { dir, files, sha256: modelFilesHash(dir, files) }
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

/**
 * An untrained detector built from a preset, with its initial weights — which benchmark exactly like trained ones
 * (same layers, same shapes): what a user measures before training, to choose a preset for their Pi.
 */
export async function presetModel(presetName: string, options: ExportPresetOptions = {}): Promise<tfl.LayersModel> {
  const config = preset(presetName)
  if (engineInfo() === null) await initEngine()
  const build = () => buildDetector(config).model
  return options.randomWeights ? build() : withSeededRandom(options.seed ?? 1, build)
}

/** Export `presetModel(presetName, options)` into `dir`. */
export async function exportPreset(presetName: string, dir: string, options: ExportPresetOptions = {}): Promise<ExportedModel> {
  const model = await presetModel(presetName, options)
  try {
    return await exportModel(model, dir)
  } finally {
    model.dispose()
  }
}

/**
 * The architecture of the layers model in `modelDir` with fresh random weights, exported into `outDir`: the other half
 * of "trained versus randomly initialised" for a trained model (same layers and shapes, only the weights differ), to
 * see whether trained — sparser — activations run faster on the device.
 */
export async function exportReinitialized(modelDir: string, outDir: string): Promise<ExportedModel> {
  const file = path.join(modelDir, MODEL_JSON)
  let topology: unknown
  try {
    topology = (JSON.parse(fs.readFileSync(file, 'utf8')) as { modelTopology?: unknown }).modelTopology
  } catch (error) {
    throw new Error(`cannot read the model in ${modelDir}: ${(error as Error).message}`, { cause: error })
  }
  if (!topology || typeof topology !== 'object') throw new Error(`${file} is not a TF.js layers model (no modelTopology)`)
  if (engineInfo() === null) await initEngine()
  const tflayers = await import('@tensorflow/tfjs-layers')
  // Building a model from its topology alone initialises every weight with the layer's own initializer.
  const model = await tflayers.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] })
  try {
    return await exportModel(model, outDir)
  } finally {
    model.dispose()
  }
}
