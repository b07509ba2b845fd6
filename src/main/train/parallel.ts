// Data-parallel detector training: N replicas of the detector on worker threads (the engine's startDataParallel), so a
// run uses every core although the wasm backend computes on one thread in Node (README, "Cores"). The matcher runs HERE
// on the whole batch, so each replica can divide its loss by the whole batch's positives and the summed losses and
// gradients are exactly the whole batch's (batch norm still sees shard statistics). An update is applied only when every
// replica's loss is finite. Why, in full: docs/engine.md#detector-training-on-replicas.
import os from 'node:os'
import * as tf from '@tensorflow/tfjs-core'
import { assertFinite, padGroundTruth, type DetectorTrainer, type ImageLabels, type StepResult } from '../detector/index.js'
import { type BackendName, type DataParallelTrainer, type HostTensor, type OptimizerConfig, startDataParallel } from '../engine/index.js'
import { siblingModuleUrl } from '../jobs/index.js'

const replicaModule = siblingModuleUrl(import.meta.url, 'detector-replica')

/**
 * Replicas for a run: one per available core, at most one per image of a batch. KINDLING_TRAIN_WORKERS overrides the
 * core count (1: the single-thread path).
 */
export function trainingWorkers(batchSize: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = Number(env.KINDLING_TRAIN_WORKERS)
  const cores = Number.isInteger(forced) && forced >= 1 ? forced : os.availableParallelism()
  return Math.max(1, Math.min(cores, batchSize))
}

export interface ParallelOptions {
  workers: number
  optimizer: OptimizerConfig
  backend?: BackendName
  /**
   * What each replica trains: by default the whole detector on images (`x`); a fine-tune's head alone on kept maps
   * gives replicaHeadModel / replicaHeadLoss and the inputs' names (cached-head.ts).
   */
  head?: { keptBoxes: boolean; inputs: string[] }
}

export class ParallelDetectorTrainer {
  private steps = 0

  private constructor(
    /** The local trainer: its matcher makes the targets, its detector receives the weights (syncWeights). */
    readonly local: DetectorTrainer,
    private readonly engine: DataParallelTrainer,
  ) {}

  /** Start the replicas from the local detector's current weights (fresh from the seed, or a checkpoint's). */
  static async start(local: DetectorTrainer, options: ParallelOptions): Promise<ParallelDetectorTrainer> {
    const { model, config } = local.detector
    const weights = model.weights.map((w) => w.read().dataSync().slice() as Float32Array)
    const engine = await startDataParallel({
      workers: options.workers,
      model: options.head
        ? { module: replicaModule, export: 'replicaHeadModel', args: [config, options.head.keptBoxes] }
        : { module: replicaModule, export: 'replicaModel', args: [config] },
      loss: options.head
        ? { module: replicaModule, export: 'replicaHeadLoss', args: [config.loss, options.head.inputs] }
        : { module: replicaModule, export: 'replicaLoss', args: [config.loss] },
      optimizer: options.optimizer,
      weights,
      backend: options.backend,
      reduction: 'sum',
    })
    return new ParallelDetectorTrainer(local, engine)
  }

  get workers(): number {
    return this.engine.workers
  }

  get backend(): string {
    return this.engine.backend
  }

  /** One step on the whole batch over the replicas; throws NonFiniteLossError (and updates nothing) on a NaN loss. */
  step(images: HostTensor, labels: ImageLabels[], learningRate?: number): Promise<StepResult> {
    return this.stepOn({ x: images }, labels, learningRate)
  }

  /** `step` for replicas whose model takes named inputs (a head on kept maps: `map0`, `map1`, …). */
  async stepOn(inputs: Record<string, HostTensor>, labels: ImageLabels[], learningRate?: number): Promise<StepResult> {
    const step = ++this.steps
    const truth = padGroundTruth(labels)
    const targets = this.local.matcher.match(truth)
    let batch
    let positives = 0
    try {
      const classes = targets.labels.dataSync() as Int32Array
      for (const c of classes) if (c > 0) positives++
      batch = {
        ...inputs,
        labels: { data: classes, shape: targets.labels.shape },
        offsets: { data: targets.offsets.dataSync() as Float32Array, shape: targets.offsets.shape },
        positives: { data: new Float32Array(labels.length).fill(positives), shape: [labels.length] },
      }
    } finally {
      tf.dispose([truth.boxes, truth.labels, truth.valid!, targets.matches, targets.labels, targets.offsets])
    }
    const result = await this.engine.step(batch, {
      learningRate,
      check: (r) => assertFinite(step, { classification: r.metrics.classification ?? NaN, box: r.metrics.box ?? NaN }),
    })
    return { loss: result.loss, classification: result.metrics.classification, box: result.metrics.box, positives }
  }

  /** Freeze these layers in every replica from the next step on (an empty list unfreezes all): DetectorTrainer.freeze. */
  freeze(layers: readonly string[]): Promise<void> {
    return this.engine.freeze(layers)
  }

  /** Copy the replicas' weights into the local detector (for a checkpoint, an evaluation or predictions). */
  async syncWeights(): Promise<void> {
    const values = await this.engine.getWeights()
    const { model } = this.local.detector
    const tensors = model.weights.map((w, k) => tf.tensor(values[k], w.shape as number[]))
    model.setWeights(tensors)
    tf.dispose(tensors)
  }

  /** Copy the local detector's weights into every replica (after its head trained on this thread: cached-head.ts). */
  pushWeights(): Promise<void> {
    return this.engine.setWeights(this.local.detector.model.weights.map((w) => w.read().dataSync().slice() as Float32Array))
  }

  async close(): Promise<void> {
    await this.engine.close()
  }
}
