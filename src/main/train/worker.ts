// Training off the main thread: the session runs in a worker thread (train-worker.ts beside this module; see
// jobs/worker-thread.ts for how it is found from sources and from the build), so the studio keeps answering requests
// while a run trains. Its messages come back here; a crash of the thread ends the run as failed.
import type { Worker } from 'node:worker_threads'
import type { BackendName } from '../engine/index.js'
import { startWorkerThread } from '../jobs/index.js'
import type { LoopEnd } from './loop.js'
import type { SessionInit, SessionMessage } from './session.js'

export interface WorkerInit {
  session: SessionInit
  backend?: BackendName
}
export type WorkerRequest = { type: 'cancel' }
export type WorkerReply = SessionMessage | { type: 'failed'; error: string; stack?: string }

export interface TrainingWorker {
  /** Stop after the current step (the session winds down and reports its end). */
  cancel(): void
  /** The session's end, or a rejection with the reason it failed. */
  finished: Promise<LoopEnd>
}

export function startTrainingWorker(init: WorkerInit, onMessage: (m: Exclude<WorkerReply, { type: 'end' | 'failed' }>) => void): TrainingWorker {
  const worker: Worker = startWorkerThread(import.meta.url, 'train-worker', init)
  const finished = new Promise<LoopEnd>((resolve, reject) => {
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'end') resolve(msg.end)
      else if (msg.type === 'failed') reject(new Error(msg.error))
      else onMessage(msg)
    })
    worker.on('error', (e) => reject(new Error(`the training thread crashed: ${e.message}`)))
    worker.on('exit', (code) => reject(new Error(`the training thread exited (code ${code})`)))
  })
  // The thread idles on its message port once the session ended; it is stopped here, after its last message.
  const stopped = finished.finally(() => worker.terminate())
  stopped.catch(() => {})
  return { cancel: () => worker.postMessage({ type: 'cancel' } satisfies WorkerRequest), finished: stopped }
}
