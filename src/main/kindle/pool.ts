// Kindling on every core. In Node the wasm backend computes on one thread (README, "Cores"), so each worker thread runs
// its own engine and its own copy of the teacher (≈ 6 MB of weights for SSD MobileNetV1), and photos are handed out
// to whichever worker has the fewest in flight. Only file paths go in and a few numbers per face come out; the store
// is written by the calling thread.
import os from 'node:os'
import type { Worker } from 'node:worker_threads'
import { startWorkerThread } from '../jobs/index.js'
import { engineInfo, initEngine, type BackendName } from '../engine/index.js'
import { Kindler, type KindledFace, type KindleSettings } from './kindler.js'

export interface WorkerInit {
  settings: KindleSettings
  backend?: BackendName
}
export type WorkerRequest = { id: number; file: string }
export type WorkerReply =
  | { type: 'ready'; teacher: { name: string; version: string }; smile: { name: string; version: string } | null }
  | { type: 'failed'; error: string }
  | { id: number; faces: KindledFace[] }
  | { id: number; error: string }

/** What the kindling job needs from whoever runs the teacher: in this thread or in worker threads. */
export interface KindleService {
  readonly teacher: { name: string; version: string }
  readonly smile: { name: string; version: string } | null
  /** Threads kindling at once. */
  readonly threads: number
  /** Photos worth having in flight to keep every thread busy. */
  readonly capacity: number
  kindle(file: string): Promise<KindledFace[]>
  close(): Promise<void>
}

export interface ServiceOptions {
  /** Worker threads; 0 kindles on this thread. Default: one per core. */
  workers?: number
  backend?: BackendName
}

/** Start the teacher on `workers` threads (0: on this thread, whose engine must be initialised). */
export async function startKindling(settings: KindleSettings, options: ServiceOptions = {}): Promise<KindleService> {
  const workers = options.workers ?? os.availableParallelism()
  if (workers <= 0) {
    if (!engineInfo()) await initEngine({ backend: options.backend })
    const kindler = await Kindler.create(settings)
    return {
      teacher: { name: kindler.teacher.name, version: kindler.teacher.version },
      smile: kindler.smileScorer,
      threads: 1,
      capacity: 2,
      kindle: (file) =>
        kindler.kindle(file).catch((error: unknown) => {
          throw new PhotoKindleError(error instanceof Error ? error.message : String(error))
        }),
      close: async () => {},
    }
  }
  const replicas = Array.from({ length: workers }, () => new KindleWorker({ settings, backend: options.backend }))
  try {
    const ready = await Promise.all(replicas.map((r) => r.ready))
    return {
      teacher: ready[0].teacher,
      smile: ready[0].smile,
      threads: workers,
      // Two photos per worker: one decoding (sharp, on libuv's pool) while the other runs the net.
      capacity: 2 * workers,
      kindle: (file) => replicas.reduce((a, b) => (b.inFlight < a.inFlight ? b : a)).kindle(file),
      close: async () => {
        await Promise.all(replicas.map((r) => r.terminate()))
      },
    }
  } catch (error) {
    await Promise.all(replicas.map((r) => r.terminate()))
    throw error
  }
}

/** A kindling worker: kindle-worker.ts beside this module (jobs/worker-thread.ts says how). */
const startWorker = (init: WorkerInit): Worker => startWorkerThread(import.meta.url, 'kindle-worker', init)

class KindleWorker {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (f: KindledFace[]) => void; reject: (e: Error) => void }>()
  private failure: Error | null = null
  private readonly worker: Worker
  readonly ready: Promise<Extract<WorkerReply, { type: 'ready' }>>

  constructor(init: WorkerInit) {
    const worker = startWorker(init)
    this.worker = worker
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (msg: WorkerReply) => {
        if ('type' in msg) {
          if (msg.type === 'ready') resolve(msg)
          else reject(this.fail(new Error(`a kindling worker could not start: ${msg.error}`)))
          return
        }
        const waiter = this.pending.get(msg.id)
        if (!waiter) return
        this.pending.delete(msg.id)
        if ('error' in msg) waiter.reject(new PhotoKindleError(msg.error))
        else waiter.resolve(msg.faces)
      })
      worker.on('error', (e) => reject(this.fail(new Error(`a kindling worker crashed: ${e.message}`))))
      worker.on('exit', (code) => reject(this.fail(new Error(`a kindling worker exited (code ${code})`))))
    })
    this.ready.catch(() => {})
  }

  get inFlight(): number {
    return this.pending.size
  }

  private fail(e: Error): Error {
    this.failure ??= e
    for (const waiter of this.pending.values()) waiter.reject(this.failure)
    this.pending.clear()
    return this.failure
  }

  kindle(file: string): Promise<KindledFace[]> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, file } satisfies WorkerRequest)
    })
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('kindling was stopped')
    await this.worker.terminate()
  }
}

/** One photo could not be kindled (unreadable, corrupt): the job skips it with this reason and carries on. */
export class PhotoKindleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PhotoKindleError'
  }
}
