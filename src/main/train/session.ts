// One training session, as the worker thread runs it: build the model — a detector, or a whole-image classifier
// (classifier-learner.ts) — with weights from the run's seed, a pretrained backbone (settings.init), a fine-tune's parent
// or the last checkpoint when resuming, then the loop — batches from the pipeline, trainer steps, checkpoints and scores —
// reporting each step, evaluation and skipped photo by message. Nothing here touches the store: the main thread owns it.
import { DEFAULT_EPOCHS, type RunEval, type RunStep, type TrainSettings } from '../../shared/api.js'
import { type ClassifierConfig, isClassifierConfig } from '../classifier/index.js'
import { buildDetector, type Detection, type DetectorConfig, detectorPart, DetectorTrainer } from '../detector/index.js'
import { type BackendName, engineInfo, ScheduledAdam } from '../engine/index.js'
import { withSeededRandom } from '../engine/seeded.js'
import { IDENTITY_PLAN, mixSeed, planAugmentation, seededRandom } from './augment.js'
import { CachedHeadTrainer, keptViewPlan } from './cached-head.js'
import { checkpointDir, loadCheckpointWeights, loadParentWeights, pruneCheckpoints, runDir, writeCheckpoint } from './checkpoint.js'
import { classifierLearner } from './classifier-learner.js'
import type { TrainImage } from './dataset.js'
import { epochOrder, type Learner, startFromPretrained } from './learner.js'
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
  /** A detector's config, or a classifier's (`task: 'classify'`). */
  config: DetectorConfig | ClassifierConfig
  classes: string[]
  train: TrainImage[]
  val: TrainImage[]
  startEpoch: number
  /** The checkpoint to start from (a resume), or null for fresh weights from the seed. */
  resumeFrom: string | null
  /** A fine-tune's parent checkpoint and its classes: the start when there is no checkpoint of the run's own yet. */
  parent?: { dir: string; classes: string[] } | null
  /**
   * A fine-tune whose every box is of a class its parent learnt (new classes made by attributes): while the feature
   * extractor is frozen, the parent's box predictors are kept too (job.ts boxesAsParent).
   */
  boxesAsParent?: boolean
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

export { epochOrder, type Learner, type Scored, startFromPretrained } from './learner.js'

/** When a session's budget is up (Date.now milliseconds), or undefined for an epoch run. */
export const sessionDeadline = (init: Pick<SessionInit, 'settings' | 'clock'>): number | undefined =>
  init.settings.minutes === undefined ? undefined : init.clock.startedAt + init.settings.minutes * 60_000 - init.clock.usedMs

/** The best evaluation so far: a detector's by AP50 (accuracy null), a classifier's by accuracy (AP50 null). */
export interface Best {
  ap50: number | null
  accuracy: number | null
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

/** Pipeline batches as the loop takes them: a batch none of whose photos could be read is null (no step). */
async function* forLoop(source: AsyncIterable<Batch & { index: number }>): AsyncGenerator<{ index: number; batch: Batch | null }> {
  for await (const b of source) yield { index: b.index, batch: b.samples.length > 0 ? b : null }
}

/** The detector as a session trains it: on data-parallel replicas when there are cores for them. */
async function detectorLearner(init: SessionInit, config: DetectorConfig): Promise<Learner> {
  const { settings, classes } = init
  const input = config.input
  const detector = withSeededRandom(settings.seed, () => buildDetector(config))
  const optimizer = new ScheduledAdam(settings.learningRate)
  const trainer = new DetectorTrainer(detector, optimizer)
  const disposeLocal = () => {
    trainer.dispose()
    detector.model.dispose()
    optimizer.dispose()
  }
  let parallel: ParallelDetectorTrainer | null = null
  try {
    // Adam's moments are not checkpointed: a resumed run starts them afresh from the checkpoint's weights (a few steps
    // of a slightly different update, no measurable difference for a run of several epochs).
    if (init.resumeFrom) await loadCheckpointWeights(detector.model, init.resumeFrom)
    else if (init.parent) await loadParentWeights(detector.model, init.parent, classes)
    else if (settings.init && settings.init !== 'random') await startFromPretrained(detector.model, settings.init, init)
    // With more than one core, replicas on worker threads train (parallel.ts) from these weights, and this thread's
    // detector gets theirs back before each checkpoint and evaluation; with one, this thread trains as before.
    const workers = trainingWorkers(settings.batchSize)
    if (workers > 1) {
      parallel = await ParallelDetectorTrainer.start(trainer, {
        workers,
        optimizer: { name: 'adam', learningRate: settings.learningRate },
        backend: engineInfo()!.name as BackendName,
      })
    }
  } catch (e) {
    disposeLocal()
    throw e
  }
  const labelsOf = (batch: Batch) => batch.samples.map((s) => ({ boxes: s.boxes, labels: s.labels }))
  // The feature extractor as TF's Object Detection API's SSD counts it: the backbone and its extra layers. Frozen, only
  // the head learns — which keeps the maps the parent finds faces on as they were — on the maps kept per photo.
  const extractorLayers = detector.model.layers.filter((l) => detectorPart(l.name) !== 'head' && l.weights.length > 0).map((l) => l.name)
  let cached: CachedHeadTrainer | null = null
  return {
    model: detector.model,
    backend: parallel ? `${parallel.backend} × ${parallel.workers} workers` : engineInfo()!.name,
    bestBy: 'ap50',
    laterWinsTies: false,
    backboneLayers: extractorLayers,
    plan: (random, image) => (cached ? keptViewPlan(random) : planAugmentation(random, image.boxes)),
    step: (batch, learningRate) => {
      if (cached) return cached.step(batch, learningRate)
      if (parallel) return parallel.step(batchPixels(batch, input), labelsOf(batch), learningRate)
      optimizer.setLearningRate(learningRate)
      const images = batchTensor(batch, input)
      try {
        return trainer.step(images, labelsOf(batch))
      } finally {
        images.dispose()
      }
    },
    freeze: async (layers) => {
      const wholeExtractor = extractorLayers.length > 0 && extractorLayers.every((l) => layers.includes(l))
      if (wholeExtractor && !cached) {
        await parallel?.syncWeights()
        cached = await CachedHeadTrainer.start(detector, settings.learningRate, {
          keptBoxes: init.boxesAsParent,
          workers: trainingWorkers(settings.batchSize),
        })
      } else if (!wholeExtractor && cached) {
        // The whole network trains again, from the head as it learnt on the kept maps.
        await cached.copyInto(detector.model)
        await cached.dispose()
        cached = null
        await parallel?.pushWeights()
      }
      await (parallel ? parallel.freeze(layers) : trainer.freeze(layers))
    },
    sync: async () => {
      if (cached) await cached.copyInto(detector.model)
      else await parallel?.syncWeights()
    },
    probe: async (images) => {
      const net = await inferenceNetwork(detector.model)
      try {
        await trainer.predict(images, (x) => net.predict(x))
        const predicting = Date.now()
        await trainer.predict(images, (x) => net.predict(x))
        return Date.now() - predicting
      } finally {
        await net.release()
      }
    },
    score: async (val, readable) => {
      const detected = new Map<number, Detection[]>()
      // The checkpoint just written, on ONNX Runtime with every core (the replicas wait for the evaluation).
      const net = await inferenceNetwork(detector.model)
      try {
        for await (const { samples } of val) {
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
      const score = scoreDetections(classes, readable(), detected)
      return { scores: score, value: score.ap50 }
    },
    dispose: async () => {
      await cached?.dispose()
      await parallel?.close()
      disposeLocal()
    },
  }
}

export async function runSession(init: SessionInit, post: (m: SessionMessage) => void, signal: AbortSignal): Promise<LoopEnd> {
  const { settings, config } = init
  const input = config.input
  const learner = isClassifierConfig(config) ? await classifierLearner(init, config) : await detectorLearner(init, config)
  post({ type: 'started', backend: learner.backend })
  // A fine-tune may keep its backbone as the parent left it for its first epochs, while the new class head settles.
  const freezeEpochs = settings.freezeBackboneEpochs ?? 0
  let trainingEpoch = init.startEpoch
  let frozen = false
  const freezeFor = async (epoch: number) => {
    const want = epoch <= freezeEpochs
    if (want === frozen) return
    frozen = want
    await learner.freeze(want ? learner.backboneLayers : [])
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
              (image) => (settings.augment ? learner.plan(seededRandom(mixSeed(settings.seed, epoch, image.id)), image) : IDENTITY_PLAN),
              onSkip,
            ),
          )
        },
        step: async (batch, learningRate) => {
          await freezeFor(trainingEpoch)
          return learner.step(batch, learningRate)
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
            try {
              // An evaluation decodes the next batch while it predicts one: a batch costs the longer of the two.
              return Math.max(decoded, await learner.probe(images))
            } finally {
              images.dispose()
            }
          }
          return null
        },
        evaluate: async (epoch, step, schedule) => {
          const dir = checkpointDir(init.projectDir, init.runId, epoch)
          await learner.sync()
          const elapsedMs = init.clock.usedMs + Date.now() - init.clock.startedAt
          await writeCheckpoint(learner.model, dir, { runId: init.runId, epoch, step, config, classes: init.classes, elapsedMs, schedule })
          // A val photo that could not be read is left out of the score, not counted as all its faces missed.
          const { scores, value } = await learner.score(
            batches(init.val, settings.batchSize, input, () => IDENTITY_PLAN, onSkip),
            () => init.val.filter((im) => !skippedPaths.has(im.path)),
          )
          const bestSoFar = best[learner.bestBy]
          if (bestSoFar === null || value > bestSoFar || (learner.laterWinsTies && value === bestSoFar)) {
            Object.assign(best, { [learner.bestBy]: value, checkpoint: dir })
          }
          lastCheckpoint = dir
          pruneCheckpoints(runDir(init.projectDir, init.runId), [best.checkpoint, lastCheckpoint])
          post({ type: 'eval', eval: { step, epoch, ...scores, checkpoint: dir, at: Date.now() }, best: { ...best } })
        },
      },
    )
  } finally {
    await learner.dispose()
  }
}
