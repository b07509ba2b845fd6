// Predicting with a trained run, as a job. Starting one is checked here on the main thread — the run, its checkpoint
// (the best, or a given epoch's), the photos in scope — so a request that cannot predict is refused at once with the
// reason; the model runs in a worker thread (predict-worker.ts), and each batch that comes back is written here in one
// transaction: the photos' earlier predicted boxes replaced by the new ones, and their "disagree" flags — or, for a
// classifier run, each photo's predicted tag (the run and its score with it).
import type { Worker } from 'node:worker_threads'
import { PredictSettings, type PredictSummary, StudioError } from '../../shared/api.js'
import { ClassifierConfig, isClassifierConfig } from '../classifier/index.js'
import { DetectorConfig } from '../detector/index.js'
import type { BackendName } from '../engine/index.js'
import { type JobContext, startWorkerThread } from '../jobs/index.js'
import type { Store } from '../store/index.js'
import { runCheckpoint } from './checkpoint.js'
import type { PredictorInit, PredictorMessage, PredictPhoto } from './predictor.js'

export interface PredictWorkerInit {
  predictor: PredictorInit
  backend?: BackendName
}
export type PredictWorkerRequest = { type: 'cancel' }
export type PredictWorkerReply = PredictorMessage | { type: 'end' } | { type: 'failed'; error: string }

export interface PreparedPredict {
  runId: number
  epoch: number
  checkpoint: string
  minScore: number
  batchSize: number
  /** The project's class id for each of the checkpoint's classes (index i → model class i + 1); null: class gone. */
  classIds: (number | null)[]
  photos: PredictPhoto[]
  config: DetectorConfig | ClassifierConfig
  /** A classifier run's tag: what its predictions are written as. */
  tag?: string
}

/** Predictions' floor when neither the request nor the run (its deploy threshold) says. */
export const DEFAULT_PREDICT_MIN_SCORE = 0.3

/**
 * The prediction worker thread on its own, for another job that runs a checkpoint over photos (an evaluation): the
 * same messages as a prediction job gets.
 */
function startPredictWorker(init: PredictWorkerInit): Worker {
  return startWorkerThread(import.meta.url, 'predict-worker', init)
}

type BatchPhotos = Extract<PredictorMessage, { type: 'batch' }>['photos']

/**
 * Run a prediction worker to its end: each batch and each photo it could not read to the caller, the job's cancel
 * passed on, a failure, a crash or an early exit as an error naming the `what` thread. Stopped however it ends.
 */
export async function runPredictWorker(
  init: PredictWorkerInit,
  signal: AbortSignal,
  what: string,
  on: { batch: (photos: BatchPhotos) => void; skip: (skipped: Extract<PredictorMessage, { type: 'skip' }>['skipped']) => void },
): Promise<void> {
  const worker = startPredictWorker(init)
  const finished = new Promise<void>((resolve, reject) => {
    worker.on('message', (msg: PredictWorkerReply) => {
      try {
        if (msg.type === 'end') resolve()
        else if (msg.type === 'failed') reject(new Error(msg.error))
        else if (msg.type === 'skip') on.skip(msg.skipped)
        else on.batch(msg.photos)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    worker.on('error', (e) => reject(new Error(`the ${what} thread crashed: ${e.message}`)))
    worker.on('exit', (code) => reject(new Error(`the ${what} thread exited (code ${code})`)))
  })
  const onCancel = () => worker.postMessage({ type: 'cancel' } satisfies PredictWorkerRequest)
  signal.addEventListener('abort', onCancel)
  if (signal.aborted) onCancel()
  try {
    await finished
  } finally {
    signal.removeEventListener('abort', onCancel)
    await worker.terminate()
  }
}

/** Check the request against the project and the run's checkpoints; throws StudioError naming the problem. */
export function preparePredict(store: Store, input: PredictSettings): PreparedPredict {
  const settings = PredictSettings.parse(input)
  const { dir: checkpoint, info } = runCheckpoint(store, settings.runId, settings.epoch)
  // A run's deploy threshold (chosen on the Evaluate page) is its predictions' default floor too.
  const minScore = settings.minScore ?? store.runs.get(settings.runId)?.threshold ?? DEFAULT_PREDICT_MIN_SCORE
  if (isClassifierConfig(info.config)) {
    const config = ClassifierConfig.parse(info.config)
    return {
      runId: settings.runId,
      epoch: info.epoch,
      checkpoint,
      minScore,
      batchSize: settings.batchSize,
      classIds: [],
      photos: store.images.inScope(settings.scope),
      config,
      // The tag's classes are ["not T", "T"] (classifier/config.ts: tagClasses).
      tag: store.runs.record(settings.runId)?.settings.tag ?? config.classes[1],
    }
  }
  // The model's classes are the run's, by name: a class renamed or deleted since has no box to become.
  const byName = new Map(store.classes().map((c) => [c.name.toLowerCase(), c.id]))
  const classIds = info.classes.map((name) => byName.get(name.toLowerCase()) ?? null)
  if (classIds.every((id) => id === null)) {
    throw new StudioError(
      `run ${settings.runId}'s classes (${info.classes.join(', ')}) are no longer in the project`,
      'conflict',
      'params.runId',
    )
  }
  const photos: PredictPhoto[] = store.images.inScope(settings.scope)
  return {
    runId: settings.runId,
    epoch: info.epoch,
    checkpoint,
    minScore,
    batchSize: settings.batchSize,
    classIds,
    photos,
    config: DetectorConfig.parse(info.config),
  }
}

/**
 * Run a prepared prediction to its end (or its cancel: the batches done are kept) in a worker thread; the job's
 * progress counts photos. `onBatch` runs after each batch is committed (the studio refreshes counts).
 */
export async function predictJob(
  store: Store,
  prepared: PreparedPredict,
  ctx: JobContext,
  options: { backend?: BackendName; onBatch?: () => void } = {},
): Promise<PredictSummary> {
  const summary: PredictSummary = {
    runId: prepared.runId,
    epoch: prepared.epoch,
    photos: 0,
    boxes: 0,
    disagree: 0,
    skipped: 0,
    cancelled: false,
  }
  const { tag } = prepared
  if (tag !== undefined) summary.tagged = { tag, photos: 0, set: 0 }
  const counters = { done: 0, total: prepared.photos.length }
  ctx.report(counters)
  if (prepared.photos.length === 0) return summary
  const init: PredictWorkerInit = {
    predictor: {
      checkpoint: prepared.checkpoint,
      config: prepared.config,
      photos: prepared.photos,
      batchSize: prepared.batchSize,
      minScore: prepared.minScore,
    },
    backend: options.backend,
  }
  // A classifier's say on each photo's tag: the predicted layer (a person's, a label file's or kindling's stay on top),
  // scored by the probability of the value it gives. Disagree: a label layer of the photo says otherwise.
  const writeTags = (tag: string, photos: BatchPhotos) => {
    store.db.transaction(() => {
      for (const { imageId, probabilities } of photos) {
        if (!probabilities) continue
        const set = probabilities[1] >= probabilities[0]
        store.tagTable.put({ imageId, name: tag, value: set, source: 'predicted', runId: prepared.runId, score: probabilities[set ? 1 : 0] })
        summary.photos++
        if (set) summary.tagged!.set++
        const label = store.tagTable
          .ofImage(imageId)
          .find((t) => t.name === tag)
          ?.layers.find((l) => l.source !== 'predicted')
        if (label && label.value !== set) summary.disagree++
      }
    })()
    summary.tagged!.photos = summary.photos
    counters.done += photos.length
    ctx.report(counters)
    options.onBatch?.()
  }
  const write = (photos: BatchPhotos) => {
    if (tag !== undefined) return writeTags(tag, photos)
    const rows = photos.map(({ imageId, detections }) => ({
      imageId,
      boxes: detections.flatMap(({ classIndex, ...box }) => {
        const classId = prepared.classIds[classIndex - 1]
        return classId == null ? [] : [{ classId, ...box }]
      }),
    }))
    const flags = store.replacePredictions(prepared.runId, rows)
    for (const r of rows) {
      if (!flags.has(r.imageId)) continue
      summary.photos++
      summary.boxes += r.boxes.length
      if (flags.get(r.imageId)) summary.disagree++
    }
    counters.done += photos.length
    ctx.report(counters)
    options.onBatch?.()
  }
  await runPredictWorker(init, ctx.signal, 'prediction', {
    batch: write,
    skip: (skipped) => {
      summary.skipped++
      counters.done++
      ctx.skip(skipped)
    },
  })
  summary.cancelled = ctx.signal.aborted
  return summary
}
