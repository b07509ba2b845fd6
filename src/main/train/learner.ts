// What a training session trains, behind what its loop needs: the Learner a detector (session.ts) or a classifier
// (classifier-learner.ts) is, and what both start from — an epoch's photo order and a pretrained backbone.
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { RunEval, TrainInit } from '../../shared/api.js'
import { initFromPretrained, type StepResult } from '../detector/index.js'
import { IDENTITY_PLAN, mixSeed, type planAugmentation, seededRandom, shuffled } from './augment.js'
import type { TrainImage } from './dataset.js'
import { type Batch, batches } from './pipeline.js'
import { batchTensor } from './score.js'
import type { SessionInit } from './session.js'

/** The photos of an epoch in their training order: shuffled by the run's seed and the epoch, so a resume repeats it. */
export function epochOrder(images: readonly TrainImage[], seed: number, epoch: number): TrainImage[] {
  return shuffled(images, seededRandom(mixSeed(seed, epoch)))
}

/** Pretrained backbone weights, their folded norms calibrated on the first batch of the run's first epoch. */
export async function startFromPretrained(model: tfl.LayersModel, source: Exclude<TrainInit, 'random'>, init: SessionInit): Promise<void> {
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

/** The scores of one evaluation, and the number its run's best checkpoint is chosen by. */
export interface Scored {
  scores: Pick<RunEval, 'ap50' | 'ap' | 'recall' | 'classifier'>
  value: number
}

/**
 * What a session trains, behind what the loop needs of it: the detector (below) or a classifier
 * (classifier-learner.ts). Everything else — the epochs' photos and their augmentation, the schedule, freezing,
 * checkpoints and which is best — is the session's, the same for both.
 */
export interface Learner {
  /** The weights checkpoints are written from (kept current by `sync`). */
  model: tfl.LayersModel
  /** The backend it trains on, with replicas their count ("wasm × 2 workers"). */
  backend: string
  /** What the best checkpoint is chosen by. */
  bestBy: 'ap50' | 'accuracy'
  /**
   * An evaluation as good as the best so far replaces it: for accuracy, which moves in steps of one val photo, so ties
   * are common early, and the later checkpoint has learned longer for the same score.
   */
  laterWinsTies: boolean
  /** The layers with weights that freezeBackboneEpochs keeps: the backbone's (a detector's extra layers too). */
  backboneLayers: string[]
  /** A photo's augmentation, drawn from its seeded generator. */
  plan(random: () => number, image: TrainImage): ReturnType<typeof planAugmentation>
  step(batch: Batch, learningRate: number): StepResult | Promise<StepResult>
  freeze(layers: readonly string[]): void | Promise<void>
  /** The replicas' weights into `model` (nothing to do on one thread). */
  sync(): Promise<void>
  /** Milliseconds predicting these images takes once warm (the first prediction compiles what the rest reuse). */
  probe(images: tf.Tensor4D): Promise<number>
  /** Predict the val batches with the model as it is and score them against the val photos read (`readable()`). */
  score(val: AsyncIterable<Batch>, readable: () => TrainImage[]): Promise<Scored>
  dispose(): Promise<void>
}
