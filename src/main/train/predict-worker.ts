// A prediction worker thread: its own engine, one checkpoint over a list of photos, a message per batch; `cancel` in
// stops it after the current batch.
import { parentPort, workerData } from 'node:worker_threads'
import { initEngine } from '../engine/index.js'
import { runPredictor } from './predictor.js'
import type { PredictWorkerInit, PredictWorkerReply, PredictWorkerRequest } from './predict.js'

const port = parentPort!
const init = workerData as PredictWorkerInit
const post = (msg: PredictWorkerReply) => port.postMessage(msg)
const abort = new AbortController()
port.on('message', (msg: PredictWorkerRequest) => {
  if (msg.type === 'cancel') abort.abort()
})

try {
  await initEngine({ backend: init.backend })
  await runPredictor(init.predictor, post, abort.signal)
  post({ type: 'end' })
} catch (error) {
  post({ type: 'failed', error: error instanceof Error ? error.message : String(error) })
}
