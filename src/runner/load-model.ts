// Reads a TF.js layers model (model.json + weight shards) from a folder with fs: tfjs-core's own loaders speak HTTP
// and browser storage only, and the file:// handler lives in tfjs-node, which the device does not have. The studio's
// tests load exported models through this same handler, so what they prove is what the device does.
import fs from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

async function read(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (e as Error).message
    throw new Error(`${what} ${file} ${reason}`, { cause: e })
  }
}

/** A shard path from model.json, resolved inside the model folder; a path leading out of it is refused. */
function shardFile(dir: string, shard: string): string {
  const file = path.resolve(dir, shard)
  if (path.isAbsolute(shard) || path.relative(dir, file).startsWith('..') || file === path.resolve(dir)) {
    throw new Error(`model.json in ${dir} names the weight file "${shard}", which is not inside the model folder`)
  }
  return file
}

/** An IOHandler for tf.loadLayersModel that reads `dir/model.json` and the shards its weightsManifest lists. */
export function modelFolder(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const jsonFile = path.join(dir, 'model.json')
      const text = (await read(jsonFile, 'the model file')).toString('utf8')
      let json: tf.io.ModelJSON
      try {
        json = JSON.parse(text) as tf.io.ModelJSON
      } catch (e) {
        throw new Error(`${jsonFile} is not JSON: ${(e as Error).message}`, { cause: e })
      }
      if (json === null || typeof json !== 'object' || json.modelTopology == null) {
        throw new Error(`${jsonFile} has no modelTopology: it is not a TF.js layers model`)
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = []
        const shards: ArrayBuffer[] = []
        for (const group of manifest) {
          for (const shard of group.paths) {
            const bytes = await read(shardFile(dir, shard), 'the weight file')
            shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
          }
          specs.push(...group.weights)
        }
        return [specs, shards]
      })
    },
  }
}
