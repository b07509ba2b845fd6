// Detection evaluation: Pascal VOC AP (all-point) at one IoU, COCO AP (101-point) over IoU 0.50:0.95, recall and PR
// curves per class, from COCO files or in-memory boxes. Pure TypeScript: training can call `evaluate` on its own
// decoded detections without going through files.
export { allPointAp, cocoAp, COCO_RECALL_POINTS } from './ap.js'
export {
  CocoFileError,
  CocoGroundTruthFile,
  CocoResultsFile,
  loadCocoDetections,
  loadCocoGroundTruth,
  parseCocoDetections,
  parseCocoGroundTruth,
  type CocoGroundTruth,
} from './coco.js'
export {
  COCO_IOU_THRESHOLDS,
  DEFAULT_EVAL_OPTIONS,
  evaluate,
  type ClassEvaluation,
  type Detection,
  type EvalClass,
  type EvalOptions,
  type Evaluation,
  type GroundTruthBox,
  type ImageId,
  type PrPoint,
} from './evaluate.js'
export { matchImage, type Label, type Match, type Outcome } from './match.js'
export {
  bestF1,
  countCurve,
  downsample,
  operatingPoint,
  pointAt,
  type CountPoint,
  type OperatingPoint,
  type ScoredOutcome,
} from './operating-point.js'
export {
  addConfusion,
  matchPhoto,
  matchPhotoAt,
  type MatchedPhoto,
  type MatchPhoto,
  type PhotoDetection,
  type PhotoLabel,
} from './photo-match.js'
export { SIZE_BOUNDS, sizeBreakdown, sizeOf, type BoxSize, type FoundBox, type SizeBreakdown } from './sizes.js'
