// Checkpoints: `<project>/runs/<runId>/epoch-<N>/`, a TF.js layers model folder (model.json + one weight shard, the
// format the device runner and the deploy page load) plus detector.json, which says what the outputs mean (the
// detector config with the run's class names; a classifier run's holds its classifier config under the same name). No optimizer state: a resumed run restarts Adam's moments.
import fs from 'node:fs'
import path from 'node:path'
import * as tfl from '@tensorflow/tfjs-layers'
import type { ClassifierConfig } from '../classifier/index.js'
import { type DetectorConfig, modelFolderSaver, transferWeights, writeFileAtomic } from '../detector/index.js'
// The device runner's reader: the one loader of model folders (tfjs-core itself reads only over HTTP).
import { modelFolder } from '../../runner/load-model.js'
import type { Schedule } from './schedule.js'
import { StudioError } from '../../shared/api.js'
import type { Store } from '../store/index.js'

export const DETECTOR_JSON = 'detector.json'

export interface CheckpointInfo {
  runId: number
  epoch: number
  step: number
  /** A detector's config, or a classifier's (`task: 'classify'`: its one output is classLogits [b, classes]). */
  config: DetectorConfig | ClassifierConfig
  classes: string[]
  /** The run's training time when the checkpoint was written: what a resumed budget run has already spent. */
  elapsedMs?: number
  /** The learning-rate plan then in force: a resumed budget run goes on with it. */
  schedule?: Schedule
}

export const runDir = (projectDir: string, runId: number) => path.join(projectDir, 'runs', String(runId))
export const checkpointDir = (projectDir: string, runId: number, epoch: number) => path.join(runDir(projectDir, runId), `epoch-${epoch}`)

export async function writeCheckpoint(model: tfl.LayersModel, dir: string, info: CheckpointInfo): Promise<void> {
  // A checkpoint of the same epoch from an earlier, interrupted attempt is replaced whole.
  fs.rmSync(dir, { recursive: true, force: true })
  await model.save(modelFolderSaver(dir))
  writeFileAtomic(path.join(dir, DETECTOR_JSON), JSON.stringify(info, null, 2))
}

/** A checkpoint's detector.json, or null if it has none (or it cannot be read). */
export function readCheckpointInfo(dir: string): CheckpointInfo | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, DETECTOR_JSON), 'utf8')) as CheckpointInfo
  } catch {
    return null
  }
}

/**
 * A run's checkpoint: epoch `epoch`'s, or else the best (else the last) — with its detector.json. Throws a StudioError
 * naming the problem (no such run, no such epoch kept, nothing written yet).
 */
export function runCheckpoint(store: Store, runId: number, epoch?: number): { dir: string; info: CheckpointInfo } {
  const run = store.runs.record(runId)
  if (!run) throw new StudioError(`no run ${runId} in this project`, 'not_found', 'params.runId')
  let dir: string | null
  if (epoch !== undefined) {
    dir = checkpointDir(store.dir, run.id, epoch)
    if (!fs.existsSync(path.join(dir, DETECTOR_JSON))) {
      throw new StudioError(
        `run ${run.id} has no checkpoint of epoch ${epoch} (only the best and the last are kept)`,
        'not_found',
        'params.epoch',
      )
    }
  } else {
    dir = run.bestCheckpoint ?? run.lastCheckpoint
    if (!dir || !fs.existsSync(path.join(dir, DETECTOR_JSON))) {
      throw new StudioError(`run ${run.id} has no checkpoint yet: train it for an epoch first`, 'conflict', 'params.runId')
    }
  }
  const info = readCheckpointInfo(dir)
  if (!info) throw new StudioError(`${path.join(dir, DETECTOR_JSON)} cannot be read`, 'conflict', 'params.runId')
  return { dir, info }
}

/** Delete the run's epoch folders except `keep` (the best and the last): checkpoints are megabytes each. */
export function pruneCheckpoints(dir: string, keep: readonly (string | null)[]): void {
  const kept = new Set(keep.filter((k): k is string => k !== null).map((k) => path.resolve(k)))
  if (!fs.existsSync(dir)) return
  for (const entry of fs.readdirSync(dir)) {
    const full = path.resolve(dir, entry)
    if (/^epoch-\d+$/.test(entry) && !kept.has(full)) fs.rmSync(full, { recursive: true, force: true })
  }
}

/** Put a checkpoint's weights into `model` (same architecture: the run's stored config built it). */
export async function loadCheckpointWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const saved = await tfl.loadLayersModel(modelFolder(dir))
  try {
    const weights = saved.getWeights()
    if (weights.length !== model.getWeights().length) {
      throw new Error(`the checkpoint in ${dir} has ${weights.length} weights, the run's detector ${model.getWeights().length}`)
    }
    model.setWeights(weights)
  } finally {
    saved.dispose()
  }
}

/**
 * Start a fine-tune: the parent checkpoint's weights into `model`, whose classes keep the parent's and add new ones
 * (detector/transfer.ts: carried class channels moved to their new index, new ones left as initialised).
 */
export async function loadParentWeights(
  model: tfl.LayersModel,
  parent: { dir: string; classes: readonly string[] },
  classes: readonly string[],
): Promise<void> {
  const saved = await tfl.loadLayersModel(modelFolder(parent.dir))
  try {
    transferWeights(saved, parent.classes, model, classes)
  } finally {
    saved.dispose()
  }
}
