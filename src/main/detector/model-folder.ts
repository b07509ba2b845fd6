// A layers model on disk in TF.js format — model.json plus one weight shard — written with a small IOHandler because
// tf.io's file:// saver lives in tfjs-node, which the studio cannot count on (an optional dependency that usually fails
// to install). Exported models (deploy) and training checkpoints (train) are both written by this one saver.
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

export const MODEL_JSON = 'model.json'
export const WEIGHTS_FILE = 'group1-shard1of1.bin'

// Write beside the target and rename, so a reader (or an upload) never sees half a file.
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const partial = `${file}.partial`
  fs.writeFileSync(partial, data)
  fs.renameSync(partial, file)
}

/** An IOHandler whose save writes `dir/model.json` and `dir/group1-shard1of1.bin` (all weights in one shard). */
export function modelFolderSaver(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (!(artifacts.modelTopology instanceof Object) || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('only layers models (a JSON topology) can be exported')
      }
      fs.mkdirSync(dir, { recursive: true })
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : artifacts.weightData
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData))
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }]
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      }
      writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights)
      writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json))
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    },
  }
}
