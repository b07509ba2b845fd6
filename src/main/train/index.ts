// Training runs: which photos train and evaluate (dataset), decoding and augmentation (pipeline, augment), the
// learning-rate schedule, pacing by the clock (ETA, time budgets), the loop, checkpoints and their scores, the worker
// thread that runs a session, and the job that records it all in the store.
export {
  DatasetError,
  HOLD_OUT_FRACTION,
  heldOutCount,
  classLabeller,
  labelledPhotos,
  type BoxLabeller,
  type ClassChoice,
  refusal,
  splitCounts,
  loadDataset,
  loadTagDataset,
  splitPhotos,
  tagSplitCounts,
  toCorners,
  type Dataset,
  type LabelledPhoto,
  type TrainImage,
} from './dataset.js'
export {
  AUGMENT_RANGES,
  CLASSIFIER_RANGES,
  FILL_COLOUR,
  planClassifierAugmentation,
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
export {
  FINAL_LR_FRACTION,
  learningRateAt,
  plannedSchedule,
  PROVISIONAL_SCHEDULE,
  rateAt,
  replanned,
  shareAt,
  warmupSteps,
  type Schedule,
} from './schedule.js'
export { DRIFT_TOLERANCE, MEASURED_STEPS, Pacer, WARMUP_STEPS, type PacerOptions } from './budget.js'
export { evaluatesAfter, nonFiniteMessage, totalSteps, trainLoop, TrainingFailed, type LoopEnd, type LoopHooks, type LoopPlan } from './loop.js'
export {
  checkpointDir,
  DETECTOR_JSON,
  loadCheckpointWeights,
  pruneCheckpoints,
  readCheckpointInfo,
  runCheckpoint,
  runDir,
  writeCheckpoint,
  type CheckpointInfo,
} from './checkpoint.js'
export { batchPixels, batchTensor, scoreDetections, type Score } from './score.js'
export { batchesPerEpoch, epochOrder, runSession, sessionDeadline, type SessionInit } from './session.js'
export { prepareResume, prepareRun, trainJob, type PreparedRun } from './job.js'
export { ALL_PRESETS, defaultInit, initsFor, presetTask, TRAIN_PRESETS, trainPresets } from './presets.js'
export { COSTS, LATENCY_MS, presetFacts, TRAIN_STEP_SECONDS } from './preset-facts.js'
export {
  predictJob,
  preparePredict,
  runPredictWorker,
  type PredictWorkerInit,
  type PredictWorkerReply,
  type PredictWorkerRequest,
  type PreparedPredict,
} from './predict.js'
export { runPredictor, toPixels, type PixelDetection, type PredictPhoto } from './predictor.js'
