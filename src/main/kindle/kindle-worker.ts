// A kindling worker thread: its own engine (backend) and its own teacher, kindling the photos the pool sends it.
import { parentPort, workerData } from 'node:worker_threads'
import { initEngine } from '../engine/index.js'
import { Kindler } from './kindler.js'
import type { WorkerInit, WorkerReply, WorkerRequest } from './pool.js'

const port = parentPort!
const init = workerData as WorkerInit
const post = (msg: WorkerReply) => port.postMessage(msg)

try {
  await initEngine({ backend: init.backend })
  const kindler = await Kindler.create(init.settings)
  port.on('message', (msg: WorkerRequest) => {
    kindler.kindle(msg.file).then(
      (faces) => post({ id: msg.id, faces }),
      (error: unknown) => post({ id: msg.id, error: error instanceof Error ? error.message : String(error) }),
    )
  })
  post({ type: 'ready', teacher: { name: kindler.teacher.name, version: kindler.teacher.version }, smile: kindler.smileScorer })
} catch (error) {
  post({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
}
