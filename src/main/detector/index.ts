// The detector, one module at a time: config and presets → backbone + SSD head (model) → anchors → matcher and box
// coder (training targets) → loss → decoding. Each module can change while the rest stay proven by their tests.
export { Backbone, DetectorConfig, FeatureMap, Loss, type DetectorConfigInput } from './config.js'
export { preset, presetNames } from './presets.js'
export { buildDetector, buildHead, copyLayerWeights, detectorPart, type Detector, type DetectorMap } from './model.js'
export { anchorCount, outputNames, type HeadOutputs } from './head.js'
export { backboneDefinition, backboneNames, featurePyramid, inputScaling, type InputScaling } from './backbones/index.js'
export { formatCount, summarize, totalsByPart, type ModelSummary, type LayerSummary, type Totals } from './summary.js'
export { anchorsFor, anchorsPerCell, SSD300_ANCHOR_MAPS, ssd300Anchors, type AnchorSet } from './anchors.js'
export { BoxCoder, SSD_VARIANCES, type Variances } from './box-coder.js'
export {
  AnchorMatcher,
  BACKGROUND_CLASS,
  BELOW_LOW_THRESHOLD,
  BETWEEN_THRESHOLDS,
  IGNORED_CLASS,
  padGroundTruth,
  type GroundTruth,
  type MatchResult,
  type MatcherOptions,
  type MatchStats,
} from './matcher.js'
export { assertFinite, detectionLoss, NonFiniteLossError, type LossParts, type Predictions, type Targets } from './loss.js'
export { DetectionDecoder, type Detection } from './decode.js'
export { DetectorTrainer, type ImageLabels, type StepResult } from './training.js'
export { anchorCoverage, formatCoverage, type CoverageImage, type CoverageReport } from './coverage.js'
export { MODEL_JSON, modelFolderSaver, WEIGHTS_FILE, writeFileAtomic } from './model-folder.js'
export { initFromPretrained, pretrainedSources, setPretrained, calibrateNorms, type PretrainedSource } from './pretrained.js'
export {
  describeDetector,
  describeInput,
  DESCRIPTION_FORMAT,
  type DetectorDescription,
  type ModelInput,
  type ModelOrigin,
} from './description.js'
export { isClassPredictor, remapScoreChannels, scoreSources, transferWeights, type TransferReport } from './transfer.js'
