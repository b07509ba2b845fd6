// A training worker thread: its own engine, one session, messages out; `cancel` in stops it after the current step.
import { parentPort, workerData } from 'node:worker_threads'
import { explainWasmAbort, initEngine } from '../engine/index.js'
import { runSession } from './session.js'
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker.js'

const port = parentPort!
const init = workerData as WorkerInit
const post = (msg: WorkerReply) => port.postMessage(msg)
const abort = new AbortController()
port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') abort.abort()
})

try {
  await initEngine({ backend: init.backend })
  const end = await runSession(init.session, post, abort.signal)
  post({ type: 'end', end })
} catch (error) {
  const { preset, batchSize } = init.session.settings
  const message = explainWasmAbort(
    error instanceof Error ? error.message : String(error),
    `training ${preset} at batch size ${batchSize}`,
    'train with a smaller batch size, or a smaller preset',
  )
  post({ type: 'failed', error: message, stack: error instanceof Error ? error.stack : undefined })
}
