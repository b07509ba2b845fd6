// Training runs: which photos train and evaluate (dataset), decoding and augmentation (pipeline, augment), the
// learning-rate schedule, the loop, checkpoints and their scores, the worker thread that runs a session, and the job
// that records it all in the store.
export {
  DatasetError,
  HOLD_OUT_FRACTION,
  labelledPhotos,
  loadDataset,
  splitPhotos,
  toCorners,
  type Dataset,
  type LabelledPhoto,
  type TrainImage,
} from './dataset.js'
export {
  AUGMENT_RANGES,
  augmentBoxes,
  IDENTITY_PLAN,
  jitterColour,
  mixSeed,
  planAugmentation,
  seededRandom,
  shuffled,
  type AugmentPlan,
} from './augment.js'
export { batches, flipPixels, loadSample, type Batch, type InputSize, type Sample, type SkippedPhoto } from './pipeline.js'
export { FINAL_LR_FRACTION, learningRateAt, warmupSteps } from './schedule.js'
export { evaluatesAfter, nonFiniteMessage, totalSteps, trainLoop, TrainingFailed, type LoopEnd, type LoopHooks, type LoopPlan } from './loop.js'
export {
  checkpointDir,
  DETECTOR_JSON,
  loadCheckpointWeights,
  pruneCheckpoints,
  runDir,
  writeCheckpoint,
  type CheckpointInfo,
} from './checkpoint.js'
export { batchTensor, scoreDetections, type Score } from './score.js'
export { batchesPerEpoch, epochOrder, runSession, type SessionInit } from './session.js'
export { prepareResume, prepareRun, trainJob, type PreparedRun } from './job.js'
export { TRAIN_PRESETS } from './presets.js'
export { predictJob, preparePredict, type PreparedPredict } from './predict.js'
export { runPredictor, toPixels, type PixelDetection, type PredictPhoto } from './predictor.js'
