// One training session, as the worker thread runs it: build the detector (weights from the run's seed, a pretrained
// backbone (settings.init), or the last checkpoint when resuming), then the loop — batches from the pipeline, DetectorTrainer steps, checkpoints and scores —
// reporting each step, evaluation and skipped photo by message. Nothing here touches the store: the main thread owns it.
import { DEFAULT_EPOCHS, type RunEval, type RunStep, type TrainInit, type TrainSettings } from '../../shared/api.js'
import {
  buildDetector,
  type Detection,
  type Detector,
  type DetectorConfig,
  detectorPart,
  DetectorTrainer,
  initFromPretrained,
} from '../detector/index.js'
import { type BackendName, engineInfo, ScheduledAdam } from '../engine/index.js'
import { withSeededRandom } from '../engine/seeded.js'
import { IDENTITY_PLAN, mixSeed, planAugmentation, seededRandom, shuffled } from './augment.js'
import { checkpointDir, loadCheckpointWeights, loadParentWeights, pruneCheckpoints, runDir, writeCheckpoint } from './checkpoint.js'
import type { TrainImage } from './dataset.js'
import { trainLoop, type LoopEnd } from './loop.js'
import { type Batch, batches, type SkippedPhoto } from './pipeline.js'
import { ParallelDetectorTrainer, trainingWorkers } from './parallel.js'
import type { Schedule } from './schedule.js'
import { batchPixels, batchTensor, scoreDetections } from './score.js'
import { inferenceNetwork } from './inference.js'

export interface SessionInit {
  runId: number
  projectDir: string
  /** With the seed filled in. */
  settings: TrainSettings & { seed: number }
  config: DetectorConfig
  classes: string[]
  train: TrainImage[]
  val: TrainImage[]
  startEpoch: number
  /** The checkpoint to start from (a resume), or null for fresh weights from the seed. */
  resumeFrom: string | null
  /** A fine-tune's parent checkpoint and its classes: the start when there is no checkpoint of the run's own yet. */
  parent?: { dir: string; classes: string[] } | null
  best: Best
  /**
   * The run's clock: when this session was asked for (Date.now on the main thread: starting up counts) and the
   * training time the run had used before it (a resumed run's, at its checkpoint). A budget run ends by
   * startedAt + minutes − usedMs.
   */
  clock: { startedAt: number; usedMs: number }
  /** A resumed budget run's learning-rate plan as its checkpoint left it, or null. */
  schedule: Schedule | null
}

/** When a session's budget is up (Date.now milliseconds), or undefined for an epoch run. */
export const sessionDeadline = (init: Pick<SessionInit, 'settings' | 'clock'>): number | undefined =>
  init.settings.minutes === undefined ? undefined : init.clock.startedAt + init.settings.minutes * 60_000 - init.clock.usedMs

export interface Best {
  ap50: number | null
  checkpoint: string | null
}

export type SessionMessage =
  /** Training began on this backend: its name, and with data-parallel replicas, their count ("wasm × 2 workers"). */
  | { type: 'started'; backend: string }
  /** A step, and the time until the run ends (its evaluations included; null while unknown). */
  | { type: 'step'; step: RunStep; etaMs: number | null }
  /** A budget run (re-)planned: it now ends at step `steps`. */
  | { type: 'plan'; steps: number }
  | { type: 'eval'; eval: RunEval; best: Best }
  | { type: 'skip'; skipped: SkippedPhoto }
  | { type: 'end'; end: LoopEnd }

/** Batches per epoch: the last one may be short. */
export const batchesPerEpoch = (trainImages: number, batchSize: number) => Math.ceil(trainImages / batchSize)

/** The photos of an epoch in their training order: shuffled by the run's seed and the epoch, so a resume repeats it. */
export function epochOrder(images: readonly TrainImage[], seed: number, epoch: number): TrainImage[] {
  return shuffled(images, seededRandom(mixSeed(seed, epoch)))
}

/** Pipeline batches as the loop takes them: a batch none of whose photos could be read is null (no step). */
async function* forLoop(source: AsyncIterable<Batch & { index: number }>): AsyncGenerator<{ index: number; batch: Batch | null }> {
  for await (const b of source) yield { index: b.index, batch: b.samples.length > 0 ? b : null }
}

/** Pretrained backbone weights, their folded norms calibrated on the first batch of the run's first epoch. */
async function startFromPretrained(model: Detector['model'], source: TrainInit, init: SessionInit): Promise<void> {
  const { settings, config } = init
  let calibration: Batch | null = null
  for await (const batch of batches(
    epochOrder(init.train, settings.seed, init.startEpoch),
    settings.batchSize,
    config.input,
    () => IDENTITY_PLAN,
    () => {},
  )) {
    if (batch.samples.length > 0) {
      calibration = batch
      break
    }
  }
  const images = calibration ? batchTensor(calibration, config.input) : undefined
  try {
    initFromPretrained(model, source, images)
  } finally {
    images?.dispose()
  }
}

export async function runSession(init: SessionInit, post: (m: SessionMessage) => void, signal: AbortSignal): Promise<LoopEnd> {
  const { settings, config, classes } = init
  const input = config.input
  const detector = withSeededRandom(settings.seed, () => buildDetector(config))
  const optimizer = new ScheduledAdam(settings.learningRate)
  const trainer = new DetectorTrainer(detector, optimizer)
  // Adam's moments are not checkpointed: a resumed run starts them afresh from the checkpoint's weights (a few steps of
  // a slightly different update, no measurable difference for a run of several epochs).
  if (init.resumeFrom) await loadCheckpointWeights(detector.model, init.resumeFrom)
  else if (init.parent) {
    try {
      await loadParentWeights(detector.model, init.parent, classes)
    } catch (e) {
      detector.model.dispose()
      throw e
    }
  } else if (settings.init && settings.init !== 'random') {
    try {
      await startFromPretrained(detector.model, settings.init, init)
    } catch (e) {
      detector.model.dispose()
      throw e
    }
  }
  // With more than one core, replicas on worker threads train (parallel.ts) from these weights, and this thread's
  // detector gets theirs back before each checkpoint and evaluation; with one, this thread trains as before.
  const workers = trainingWorkers(settings.batchSize)
  const backend = engineInfo()!.name
  let parallel: ParallelDetectorTrainer | null = null
  try {
    if (workers > 1) {
      parallel = await ParallelDetectorTrainer.start(trainer, {
        workers,
        optimizer: { name: 'adam', learningRate: settings.learningRate },
        backend: backend as BackendName,
      })
    }
  } catch (e) {
    trainer.dispose()
    detector.model.dispose()
    trainer.optimizer.dispose()
    throw e
  }
  post({ type: 'started', backend: parallel ? `${parallel.backend} × ${parallel.workers} workers` : backend })
  // A fine-tune may keep its backbone as the parent left it for its first epochs, while the new class head settles.
  const backboneLayers = detector.model.layers.filter((l) => detectorPart(l.name) === 'backbone' && l.weights.length > 0).map((l) => l.name)
  const freezeEpochs = settings.freezeBackboneEpochs ?? 0
  let trainingEpoch = init.startEpoch
  let frozen = false
  const freezeFor = async (epoch: number) => {
    const want = epoch <= freezeEpochs
    if (want === frozen) return
    frozen = want
    const layers = want ? backboneLayers : []
    if (parallel) await parallel.freeze(layers)
    else trainer.freeze(layers)
  }
  const best: Best = { ...init.best }
  const skippedPaths = new Set<string>()
  const onSkip = (skipped: SkippedPhoto) => {
    if (skippedPaths.has(skipped.path)) return
    skippedPaths.add(skipped.path)
    post({ type: 'skip', skipped })
  }
  let lastCheckpoint: string | null = init.resumeFrom
  try {
    return await trainLoop(
      {
        epochs: settings.minutes === undefined ? (settings.epochs ?? DEFAULT_EPOCHS) : null,
        startEpoch: init.startEpoch,
        batchesPerEpoch: batchesPerEpoch(init.train.length, settings.batchSize),
        evalEvery: settings.evalEvery,
        learningRate: settings.learningRate,
        deadline: sessionDeadline(init),
        schedule: init.schedule ?? undefined,
        evalBatches: batchesPerEpoch(init.val.length, settings.batchSize),
      },
      {
        signal,
        batches: (epoch) => {
          trainingEpoch = epoch
          return forLoop(
            batches(
              epochOrder(init.train, settings.seed, epoch),
              settings.batchSize,
              input,
              (image) =>
                settings.augment ? planAugmentation(seededRandom(mixSeed(settings.seed, epoch, image.id)), image.boxes) : IDENTITY_PLAN,
              onSkip,
            ),
          )
        },
        step: async (batch, learningRate) => {
          await freezeFor(trainingEpoch)
          if (parallel) {
            const labels = batch.samples.map((s) => ({ boxes: s.boxes, labels: s.labels }))
            return parallel.step(batchPixels(batch, input), labels, learningRate)
          }
          optimizer.setLearningRate(learningRate)
          const images = batchTensor(batch, input)
          try {
            return trainer.step(
              images,
              batch.samples.map((s) => ({ boxes: s.boxes, labels: s.labels })),
            )
          } finally {
            images.dispose()
          }
        },
        onStep: (step, etaMs) => post({ type: 'step', step, etaMs }),
        onPlan: (steps) => post({ type: 'plan', steps }),
        probeEvaluation: async () => {
          const started = Date.now()
          for await (const { samples } of batches(
            init.val.slice(0, settings.batchSize),
            settings.batchSize,
            input,
            () => IDENTITY_PLAN,
            onSkip,
          )) {
            if (samples.length === 0) continue
            const decoded = Date.now() - started
            const images = batchTensor({ samples }, input)
            const net = await inferenceNetwork(detector.model)
            try {
              // The first prediction compiles and allocates what the rest reuse: the second is what a batch costs.
              await trainer.predict(images, (x) => net.predict(x))
              const predicting = Date.now()
              await trainer.predict(images, (x) => net.predict(x))
              // An evaluation decodes the next batch while it predicts one: a batch costs the longer of the two.
              return Math.max(decoded, Date.now() - predicting)
            } finally {
              images.dispose()
              await net.release()
            }
          }
          return null
        },
        evaluate: async (epoch, step, schedule) => {
          const dir = checkpointDir(init.projectDir, init.runId, epoch)
          await parallel?.syncWeights()
          const elapsedMs = init.clock.usedMs + Date.now() - init.clock.startedAt
          await writeCheckpoint(detector.model, dir, { runId: init.runId, epoch, step, config, classes, elapsedMs, schedule })
          const detected = new Map<number, Detection[]>()
          // The checkpoint just written, on ONNX Runtime with every core (the replicas wait for the evaluation).
          const net = await inferenceNetwork(detector.model)
          try {
            for await (const { samples } of batches(init.val, settings.batchSize, input, () => IDENTITY_PLAN, onSkip)) {
              if (samples.length === 0) continue
              const images = batchTensor({ samples }, input)
              try {
                const found = await trainer.predict(images, (x) => net.predict(x))
                samples.forEach((s, i) => detected.set(s.image.id, found[i]))
              } finally {
                images.dispose()
              }
            }
          } finally {
            await net.release()
          }
          // A val photo that could not be read is left out of the score, not counted as all its faces missed.
          const score = scoreDetections(
            classes,
            init.val.filter((im) => !skippedPaths.has(im.path)),
            detected,
          )
          if (best.ap50 === null || score.ap50 > best.ap50) Object.assign(best, { ap50: score.ap50, checkpoint: dir })
          lastCheckpoint = dir
          pruneCheckpoints(runDir(init.projectDir, init.runId), [best.checkpoint, lastCheckpoint])
          post({ type: 'eval', eval: { step, epoch, ...score, checkpoint: dir, at: Date.now() }, best: { ...best } })
        },
      },
    )
  } finally {
    await parallel?.close()
    trainer.dispose()
    detector.model.dispose()
    trainer.optimizer.dispose()
  }
}
