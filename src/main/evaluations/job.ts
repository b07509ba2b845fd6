// Evaluating a run's checkpoint on a split, as a job. Starting one is checked here on the main thread — the run (a
// detector's, with a checkpoint), the split's labelled photos — so a request that cannot evaluate is refused at once,
// naming why. The checkpoint runs in the prediction worker thread (the predict job's: ONNX Runtime where it loads),
// decoding down to a low floor so every threshold above it can be judged later; each batch's detections are kept in
// the store as they arrive. Matching them against the labels is report.ts's, redone whenever the labels change.
import { type EvalSplit, type Evaluation, StudioError } from '../../shared/api.js'
import { isClassifierConfig } from '../classifier/index.js'
import { DetectorConfig } from '../detector/index.js'
import type { BackendName } from '../engine/index.js'
import type { JobContext } from '../jobs/index.js'
import type { Store } from '../store/index.js'
import {
  classLabeller,
  labelledPhotos,
  runCheckpoint,
  splitPhotos,
  runPredictWorker,
  type PredictPhoto,
  type PredictWorkerInit,
} from '../train/index.js'

/** Detections below this are not kept: low enough that no threshold a person would pick is above what was kept. */
export const EVAL_MIN_SCORE = 0.01
/** Detections kept a photo (after NMS), at most: a threshold near the floor counts this many at most. */
export const EVAL_TOP_K = 100
const BATCH_SIZE = 8

export interface PreparedEvaluation {
  runId: number
  epoch: number
  split: EvalSplit
  checkpoint: string
  config: DetectorConfig
  classes: string[]
  photos: PredictPhoto[]
}

/** Check the request against the project; throws a StudioError naming the problem. */
export function prepareEvaluation(store: Store, params: { runId: number; epoch?: number; split: EvalSplit }): PreparedEvaluation {
  const run = store.runs.record(params.runId)
  if (!run) throw new StudioError(`no run ${params.runId} in this project`, 'not_found', 'params.runId')
  if (run.task === 'classify' || isClassifierConfig(run.config)) {
    throw new StudioError(
      `run ${run.id} (${run.name}) is a classifier of the ${run.settings.tag ?? 'photo'} tag: it draws no boxes, so it is ` +
        'scored by its accuracy on the Train page, not evaluated here',
      'invalid',
      'params.runId',
    )
  }
  const { dir, info } = runCheckpoint(store, run.id, params.epoch)
  const photos = evaluationPhotos(store, run, params.split)
  if (photos.length === 0) {
    const which = run.settings.labels === 'reviewed' ? 'reviewed photos' : 'labelled photos'
    throw new StudioError(
      `the ${params.split} split has no ${which} to evaluate run ${run.id} on` +
        (params.split === 'test' ? ': the test split is kept for a final score, but none of its photos is labelled yet' : ''),
      'conflict',
      'params.split',
    )
  }
  const config = DetectorConfig.parse(info.config)
  return { runId: run.id, epoch: info.epoch, split: params.split, checkpoint: dir, config, classes: info.classes, photos }
}

/**
 * The photos an evaluation infers over: the split's labelled photos under the run's label choice — for val, the same
 * photos the run evaluated on while training (a tenth of train, held out by content hash, when val has none).
 */
function evaluationPhotos(store: Store, run: NonNullable<ReturnType<Store['runs']['record']>>, split: EvalSplit): PredictPhoto[] {
  let labeller
  try {
    labeller = classLabeller(store.classes(), { classes: run.classes, classMap: run.settings.classMap }).labeller
  } catch (error) {
    throw new StudioError(`run ${run.id}'s classes cannot be found in the project now: ${(error as Error).message}`, 'conflict', 'params.runId')
  }
  const photos = labelledPhotos(store, run.settings.labels, labeller)
  const chosen = split === 'val' ? splitPhotos(photos).val : photos.filter((p) => p.split === 'test')
  return chosen.map(({ id, path, width, height }) => ({ id, path, width, height }))
}

/**
 * Infer every photo (until done or cancelled) in the prediction worker, keeping each batch's detections in the store.
 * `onChange` hears the evaluation after each batch and at the end. Ends the evaluation as done, cancelled or failed.
 */
export async function evaluationJob(
  store: Store,
  prepared: PreparedEvaluation,
  evaluationId: number,
  ctx: JobContext,
  options: { backend?: BackendName; onChange?: (e: Evaluation) => void } = {},
): Promise<Evaluation> {
  const counters = { done: 0, total: prepared.photos.length }
  ctx.report(counters)
  const sizes = new Map(prepared.photos.map((p) => [p.id, p]))
  const topK = Math.min(EVAL_TOP_K, prepared.config.decoding.topK)
  const init: PredictWorkerInit = {
    predictor: {
      checkpoint: prepared.checkpoint,
      config: { ...prepared.config, decoding: { ...prepared.config.decoding, topK } },
      photos: prepared.photos,
      batchSize: BATCH_SIZE,
      minScore: EVAL_MIN_SCORE,
    },
    backend: options.backend,
  }
  const changed = (e: Evaluation) => {
    options.onChange?.(e)
    return e
  }
  try {
    await runPredictWorker(init, ctx.signal, 'evaluation', {
      skip: (skipped) => {
        ctx.skip(skipped)
        changed(store.evaluations.addPhotos(evaluationId, [], 1))
        counters.done++
        ctx.report(counters)
      },
      batch: (batch) => {
        const photos = batch.map(({ imageId, detections }) => {
          const size = sizes.get(imageId)!
          return { imageId, width: size.width, height: size.height, detections }
        })
        changed(store.evaluations.addPhotos(evaluationId, photos))
        counters.done += photos.length
        ctx.report(counters)
      },
    })
  } catch (error) {
    changed(store.evaluations.finish(evaluationId, 'failed', (error as Error).message))
    throw error
  }
  return changed(store.evaluations.finish(evaluationId, ctx.signal.aborted ? 'cancelled' : 'done'))
}
