// Synchronous data-parallel training over worker threads: the wasm backend computes on one thread in Node, so more cores
// means more replicas of the model. Each step every replica computes gradients on its shard, this thread averages them
// (weighted by shard size) and sends the average back, and every replica applies the same update — so the replicas stay
// identical and the step equals one on the whole batch. Only plain data crosses threads (gradient buffers are
// transferred, not copied). See docs/engine.md#data-parallel-training.
import os from 'node:os'
import type { Worker } from 'node:worker_threads'
import { startWorkerThread } from '../jobs/index.js'
import type { BackendName } from './backend.js'

/** A tensor's values and shape, as plain data that can cross threads. */
export interface HostTensor {
  data: Float32Array | Int32Array
  shape: number[]
}

/** Named tensors whose first dimension is the example index, e.g. `{ x: images, y: targets }`. */
export type Batch = Record<string, HostTensor>

/**
 * A function exported by a module, called in each worker: `module` is an absolute file path or a file: URL (a .ts
 * module works from the TypeScript sources), `export` the export's name, `args` its arguments (structured-cloneable).
 */
export interface ModuleExport {
  module: string
  export: string
  args?: unknown[]
}

/**
 * Where each replica's model comes from: a module export returning a tfjs-layers `LayersModel` (possibly async), or a
 * model's topology as returned by `model.toJSON(null, false)`.
 */
export type ModelSource = ModuleExport | { topology: object }

/**
 * The loss a replica minimises, which must be a mean over the examples of its shard (that is what makes the average of
 * the replicas' gradients the whole batch's gradient) — or, with `reduction: 'sum'`, the shard's share of the whole
 * batch's loss. A built-in name applies `tf.losses[name](batch.y, model(batch.x))` with the default (mean) reduction; a
 * module export is called as `fn(model, batch, ...args)` with the shard as tensors and returns a scalar — for models
 * with several outputs or targets — or `{ loss, metrics }`: named scalars (parts of the loss, say) to report, reduced
 * over the replicas like the loss.
 */
export type LossSource = 'meanSquaredError' | 'absoluteDifference' | 'huberLoss' | 'softmaxCrossEntropy' | 'sigmoidCrossEntropy' | ModuleExport

export interface OptimizerConfig {
  name: 'adam' | 'sgd'
  learningRate: number
  /** Adam only; TF.js defaults otherwise. */
  beta1?: number
  beta2?: number
  epsilon?: number
}

export interface DataParallelOptions {
  /** Number of replicas (worker threads); defaults to the machine's available parallelism. */
  workers?: number
  model: ModelSource
  loss: LossSource
  optimizer: OptimizerConfig
  /**
   * Initial values of every weight, in `model.weights` order. Omitted: replica 0's freshly initialised weights are
   * copied to the others, so the replicas start identical either way.
   */
  weights?: Float32Array[]
  /** Backend each worker's `initEngine()` uses; defaults to its usual choice (KINDLING_BACKEND, then the fastest). */
  backend?: BackendName
  /**
   * How shard losses and gradients combine. 'mean' (the default): averaged, weighted by shard size — right when the
   * loss is a mean over its examples. 'sum': added up — right when each replica's loss is already its share of the
   * whole batch's loss, e.g. a sum over its examples divided by a whole-batch normaliser the batch carries (a loss
   * normalised by something other than the example count, which a weighted average would get only approximately).
   */
  reduction?: 'mean' | 'sum'
}

/** One of the model's weights, in `model.weights` order. */
export interface WeightInfo {
  name: string
  shape: number[]
  trainable: boolean
}

export interface StepResult {
  /** The whole batch's loss: the shard losses combined as the gradients are (weighted average, or sum). */
  loss: number
  /** The loss's named metrics (a module loss returning `{ loss, metrics }`), combined the same way. */
  metrics: Record<string, number>
  /** Each replica's own loss (0 for a replica whose shard was empty). */
  shardLosses: number[]
}

export interface StepOptions {
  /** The optimizer's learning rate for this step (and the ones after), in every replica: for a schedule. */
  learningRate?: number
  /**
   * Called with the step's result after the gradients are in and before any replica applies them; throwing skips the
   * update everywhere (the replicas stay identical and as they were) and fails the step with that error. Whatever it
   * does, a step whose loss is not finite in some replica is never applied.
   */
  check?: (result: StepResult) => void
}

/** A step was not applied because a replica's loss was NaN or infinite; the replicas are unchanged. */
export class NonFiniteStepError extends Error {
  constructor(readonly result: StepResult) {
    super(`the loss is not finite (replica losses ${result.shardLosses.join(', ')}); no replica applied the update`)
    this.name = 'NonFiniteStepError'
  }
}

/** Messages between this thread and a replica (data-parallel-worker.ts). */
export type WorkerRequest =
  | { id: number; op: 'gradients'; shard?: Batch }
  | { id: number; op: 'apply'; gradients: Float32Array; learningRate?: number }
  | { id: number; op: 'getWeights' }
  | { id: number; op: 'setWeights'; weights: Float32Array[] }
  | { id: number; op: 'freeze'; layers: string[] }
export type WorkerReply =
  | { type: 'ready'; weights: WeightInfo[]; backend: string }
  | { type: 'failed'; error: string }
  | { id: number; error: string }
  | { id: number; loss: number; metrics: Record<string, number>; gradients: Float32Array }
  | { id: number; weights: Float32Array[] }
  | { id: number }
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never
export interface WorkerInit {
  model: ModelSource
  loss: LossSource
  optimizer: OptimizerConfig
  backend?: BackendName
}

/** A replica's worker thread: data-parallel-worker.ts beside this module (jobs/worker-thread.ts says how). */
const startReplicaWorker = (init: WorkerInit): Worker => startWorkerThread(import.meta.url, 'data-parallel-worker', init)

/** One worker thread holding a replica, with request/reply bookkeeping and the first fatal error it hit. */
class Replica {
  private nextId = 1
  private pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>()
  private failure: Error | null = null
  private readonly worker: Worker
  readonly ready: Promise<Extract<WorkerReply, { type: 'ready' }>>

  constructor(
    readonly index: number,
    init: WorkerInit,
  ) {
    const worker = startReplicaWorker(init)
    this.worker = worker
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (msg: WorkerReply) => {
        if ('type' in msg) {
          if (msg.type === 'ready') resolve(msg)
          else reject(this.fail(new Error(`data-parallel replica ${index} could not start: ${msg.error}`)))
          return
        }
        const waiter = this.pending.get(msg.id)
        if (!waiter) return
        this.pending.delete(msg.id)
        if ('error' in msg) waiter.reject(new Error(`data-parallel replica ${index}: ${msg.error}`))
        else waiter.resolve(msg)
      })
      worker.on('error', (e) => reject(this.fail(new Error(`data-parallel replica ${index} crashed: ${e.message}`))))
      worker.on('exit', (code) => reject(this.fail(new Error(`data-parallel replica ${index} exited (code ${code})`))))
    })
    // A start-up failure is reported by whichever call awaits `ready`; keep Node from calling it unhandled meanwhile.
    this.ready.catch(() => {})
  }

  /** Record the first fatal error and fail every request still waiting for a reply. */
  private fail(e: Error): Error {
    this.failure ??= e
    for (const waiter of this.pending.values()) waiter.reject(this.failure)
    this.pending.clear()
    return this.failure
  }

  request<R extends WorkerReply>(msg: WithoutId<WorkerRequest>, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerReply) => void, reject })
      this.worker.postMessage({ ...msg, id }, transfer)
    })
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('the data-parallel trainer was closed')
    await this.worker.terminate()
  }
}

/**
 * Split `batch` along its first dimension into `n` nearly equal shards (the first `B mod n` get one more example). A
 * batch smaller than `n` is an error unless `allowEmpty`, which gives the last shards no examples.
 */
export function splitBatch(batch: Batch, n: number, { allowEmpty = false } = {}): { shards: Batch[]; sizes: number[] } {
  const entries = Object.entries(batch)
  if (entries.length === 0) throw new Error('a batch needs at least one tensor')
  const size = entries[0][1].shape[0]
  for (const [name, t] of entries) {
    if (t.shape[0] !== size) throw new Error(`batch tensor ${name} has ${t.shape[0]} examples, ${entries[0][0]} has ${size}`)
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`batch tensor ${name} does not match its shape ${t.shape}`)
  }
  if (size < n && !allowEmpty) throw new Error(`a batch of ${size} cannot be split over ${n} replicas`)
  const sizes = Array.from({ length: n }, (_, i) => Math.floor(size / n) + (i < size % n ? 1 : 0))
  const shards: Batch[] = sizes.map(() => ({}))
  for (const [name, t] of entries) {
    const perExample = t.data.length / size
    let start = 0
    sizes.forEach((s, i) => {
      // slice, not subarray: each shard gets its own buffer, which can then be transferred rather than copied.
      shards[i][name] = { data: t.data.slice(start * perExample, (start + s) * perExample), shape: [s, ...t.shape.slice(1)] }
      start += s
    })
  }
  return { shards, sizes }
}

export class DataParallelTrainer {
  /** Shard sizes of the batch the replicas hold, set by the last step given a batch. */
  private shardSizes: number[] | null = null
  /** Steps and weight transfers run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Set when a step failed while replicas applied their update: some may have applied it and others not. */
  private diverged: Error | null = null

  private constructor(
    private readonly replicas: Replica[],
    /** The model's weights, in the order every weight array here uses. */
    readonly weights: readonly WeightInfo[],
    /** The backend the workers train on. */
    readonly backend: string,
    private readonly reduction: 'mean' | 'sum',
  ) {}

  static async start(options: DataParallelOptions): Promise<DataParallelTrainer> {
    const n = options.workers ?? os.availableParallelism()
    if (!Number.isInteger(n) || n < 1) throw new Error(`workers must be a positive integer, not ${n}`)
    const init: WorkerInit = { model: options.model, loss: options.loss, optimizer: options.optimizer, backend: options.backend }
    const replicas = Array.from({ length: n }, (_, i) => new Replica(i, init))
    try {
      const ready = await Promise.all(replicas.map((r) => r.ready))
      const trainer = new DataParallelTrainer(replicas, ready[0].weights, ready[0].backend, options.reduction ?? 'mean')
      await trainer.setWeights(options.weights ?? (await trainer.replicaWeights(0)))
      return trainer
    } catch (e) {
      await Promise.all(replicas.map((r) => r.terminate()))
      throw e
    }
  }

  get workers(): number {
    return this.replicas.length
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn)
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * One synchronous step. `batch` is split over the replicas, which keep their shard as tensors; omit it to train on
   * the shards of the previous step again (repeated batches: benchmarks, overfitting checks) without resending them.
   * A batch smaller than the number of replicas (an epoch's last) leaves some replicas without examples: they
   * contribute nothing to the loss and gradients but still apply the same update.
   */
  step(batch?: Batch, options: StepOptions = {}): Promise<StepResult> {
    return this.serial(async () => {
      if (this.diverged) throw this.diverged
      let shards: Batch[] | undefined
      if (batch) {
        const split = splitBatch(batch, this.replicas.length, { allowEmpty: true })
        shards = split.shards
        this.shardSizes = split.sizes
      } else if (!this.shardSizes) {
        throw new Error('the first step needs a batch')
      }
      const replies = await Promise.all(
        this.replicas.map((r, i) =>
          r.request<Extract<WorkerReply, { gradients: Float32Array }>>(
            { op: 'gradients', shard: shards?.[i] },
            shards ? Object.values(shards[i]).map((t) => t.data.buffer as ArrayBuffer) : [],
          ),
        ),
      )
      const total = this.shardSizes!.reduce((a, b) => a + b, 0)
      const share = this.reduction === 'sum' ? this.shardSizes!.map(() => 1) : this.shardSizes!.map((s) => s / total)
      const loss = replies.reduce((sum, r, i) => sum + share[i] * r.loss, 0)
      const metrics: Record<string, number> = {}
      replies.forEach((r, i) => {
        for (const [name, v] of Object.entries(r.metrics)) metrics[name] = (metrics[name] ?? 0) + share[i] * v
      })
      const result: StepResult = { loss, metrics, shardLosses: replies.map((r) => r.loss) }
      // Nothing has changed in any replica yet, so refusing here keeps them identical. A replica left without its
      // gradient buffer allocates a new one.
      options.check?.(result)
      if (!result.shardLosses.every(Number.isFinite)) throw new NonFiniteStepError(result)
      const grads = replies.map((r) => r.gradients)
      averageInto(grads, share)
      const { learningRate } = options
      // Each replica gets its own buffer back (now holding the average); a buffer can be transferred to one thread only.
      try {
        await Promise.all(
          this.replicas.map((r, i) => r.request({ op: 'apply', gradients: grads[i], learningRate }, [grads[i].buffer as ArrayBuffer])),
        )
      } catch (e) {
        // A failure before this point leaves every replica as it was, so a later step may retry; not one from here.
        this.diverged = new Error(`the replicas may no longer be identical: ${(e as Error).message}`)
        throw e
      }
      return result
    })
  }

  /**
   * The model's weights, in `weights` order: trainable weights from replica 0 (all replicas hold the same), the others
   * averaged over the replicas. Non-trainable weights that change in training are batch norm's moving statistics, which
   * each replica updates from its own shard; they only serve inference, so replicas may differ there while training
   * stays in step, and their average is the moving mean of the whole batch's means (equal shards).
   */
  getWeights(): Promise<Float32Array[]> {
    return this.serial(async () => {
      const all = await Promise.all(this.replicas.map((_, i) => this.requestWeights(i)))
      return this.weights.map((w, k) => {
        if (w.trainable || all.length === 1) return all[0][k]
        // Accumulate in float64 so a weight that is the same everywhere (a frozen layer) comes back exactly unchanged.
        const sum = new Float64Array(all[0][k].length)
        for (const replica of all) for (let j = 0; j < sum.length; j++) sum[j] += replica[k][j]
        return Float32Array.from(sum, (v) => v / all.length)
      })
    })
  }

  /** One replica's weights exactly as it holds them (to check the replicas agree). */
  replicaWeights(index: number): Promise<Float32Array[]> {
    return this.serial(() => this.requestWeights(index))
  }

  private async requestWeights(index: number): Promise<Float32Array[]> {
    const replica = this.replicas[index]
    if (!replica) throw new Error(`there is no replica ${index} (workers: ${this.replicas.length})`)
    return (await replica.request<Extract<WorkerReply, { weights: Float32Array[] }>>({ op: 'getWeights' })).weights
  }

  /** Set every replica's weights (in `weights` order). The optimizer's state is kept. */
  setWeights(values: Float32Array[]): Promise<void> {
    return this.serial(async () => {
      if (values.length !== this.weights.length) throw new Error(`expected ${this.weights.length} weight arrays, got ${values.length}`)
      values.forEach((v, k) => {
        const size = this.weights[k].shape.reduce((a, b) => a * b, 1)
        if (v.length !== size) throw new Error(`weight ${this.weights[k].name} needs ${size} values, got ${v.length}`)
      })
      // Structured clone copies the arrays once per replica; the caller keeps its own.
      await Promise.all(this.replicas.map((r) => r.request({ op: 'setWeights', weights: values })))
    })
  }

  /**
   * Freeze these layers in every replica (engine/freeze.ts: no gradient, no update, batch norms in inference mode) and
   * unfreeze the others; an empty list unfreezes all. Applies from the next step on.
   */
  freeze(layers: readonly string[]): Promise<void> {
    return this.serial(async () => {
      await Promise.all(this.replicas.map((r) => r.request({ op: 'freeze', layers: [...layers] })))
    })
  }

  /** Stop the workers. Calls still waiting fail. */
  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.terminate()))
  }
}

/** Overwrite every array in `grads` with their sum weighted by `share` (an average when it sums to 1). */
export function averageInto(grads: Float32Array[], share: number[]): void {
  const [first, ...rest] = grads
  for (const g of rest) if (g.length !== first.length) throw new Error('replicas sent gradients of different sizes')
  if (rest.length === 0) return
  for (let j = 0; j < first.length; j++) {
    let sum = share[0] * first[j]
    for (let i = 1; i < grads.length; i++) sum += share[i] * grads[i][j]
    first[j] = sum
  }
  for (const g of rest) g.set(first)
}

/** Start `workers` replicas of the model, each on its own thread with its own engine (see DataParallelOptions). */
export function startDataParallel(options: DataParallelOptions): Promise<DataParallelTrainer> {
  return DataParallelTrainer.start(options)
}
