// Data-parallel detector training: N replicas of the detector on worker threads (the engine's startDataParallel), so a
// run uses every core although the wasm backend computes on one thread in Node (README, "Cores").
//
// Where the targets come from: the anchor matcher runs HERE, on the whole batch, and its targets travel to the replicas
// as dense arrays with the images. That is simpler than a matcher per replica (which would need the anchors built in
// every worker), and it is what makes the loss exact: the SSD loss divides by the positives of the whole batch, which
// only the whole batch's targets know before any replica computes its loss. Each replica divides its shard's sums by
// that count, and the engine adds the replicas' losses and gradients up ('sum' reduction) — the whole batch's loss and
// gradient, not the usual DDP approximation (an average of per-shard normalised losses), up to float rounding. (Hard
// negatives are mined per image, so sharding does not change them.) What sharding does change is batch norm in training
// mode, which normalises by each shard's own statistics — as in any data-parallel training without synchronised batch
// norm; the presets without batch norm (AlexNet) are unaffected.
//
// The update is applied only after every replica's loss is known and finite (NonFiniteLossError otherwise, as in
// DetectorTrainer), so a bad batch leaves all replicas unchanged. The replicas hold the trained weights; `syncWeights`
// copies them into the local detector before a checkpoint or an evaluation.
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
      model: { module: replicaModule, export: 'replicaModel', args: [config] },
      loss: { module: replicaModule, export: 'replicaLoss', args: [config.loss] },
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
  async step(images: HostTensor, labels: ImageLabels[], learningRate?: number): Promise<StepResult> {
    const step = ++this.steps
    const truth = padGroundTruth(labels)
    const targets = this.local.matcher.match(truth)
    let batch
    let positives = 0
    try {
      const classes = targets.labels.dataSync() as Int32Array
      for (const c of classes) if (c > 0) positives++
      batch = {
        x: images,
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

  /** Copy the replicas' weights into the local detector (for a checkpoint, an evaluation or predictions). */
  async syncWeights(): Promise<void> {
    const values = await this.engine.getWeights()
    const { model } = this.local.detector
    const tensors = model.weights.map((w, k) => tf.tensor(values[k], w.shape as number[]))
    model.setWeights(tensors)
    tf.dispose(tensors)
  }

  async close(): Promise<void> {
    await this.engine.close()
  }
}
