// Kindling: teacher detectors label a project's photos, people only correct them.
export { FACE_API_VERSION, faceApi, faceApiModelDir } from './faceapi.js'
export {
  clip,
  detectFaces,
  iou,
  MAX_DETECT_SIDE,
  nms,
  padPixels,
  readPixels,
  toTensor,
  type DetectOptions,
  type FaceBox,
  type KindleDetectOptions,
  type Pixels,
  type SmileScorer,
  type Teacher,
  type ZoomOutWhen,
  BIG_FACE,
  AUTO_TILE_FACTOR,
  cropPixels,
  dropCutBoxes,
  mapTileBoxes,
  MAX_TILES,
  TILE_OVERLAP,
  tileGrid,
  tilesFor,
  type Tile,
  type Tiles,
} from './teachers.js'
export { SSD_MOBILENETV1_VERSION, ssdMobilenetV1Teacher } from './ssd-mobilenet.js'
export { TINY_FACE_VERSION, tinyFaceTeacher } from './tiny-face.js'
export {
  blazeFaceAnchors,
  blazeFaceTeacher,
  blazeFaceVersion,
  blendOverlaps,
  decodeBlazeFace,
  fileModelHandler,
  humanModelDir,
  toPersonBox,
  type BlazeFaceVariant,
  type BoxScale,
} from './blazeface.js'
export {
  ensembleTeacher,
  ensembleVersion,
  memberMinScore,
  mergeTeachers,
  UNION_NMS_IOU,
  unionNms,
  WBF_IOU,
  weightedBoxFusion,
  type FusionOptions,
} from './ensemble.js'
export { faceExpressionScorer, SMILE_THRESHOLD, squareAround, type SmileCrop } from './smile.js'
export {
  createTeacher,
  DEFAULT_TEACHER,
  isTeacherName,
  Kindler,
  TEACHER_NAMES,
  TEACHERS,
  teacherInputSize,
  teacherSmileCrop,
  teacherVersion,
  type KindledFace,
  type KindleSettings,
  type TeacherName,
} from './kindler.js'
export { PhotoKindleError, startKindling, type KindleService, type ServiceOptions } from './pool.js'
export {
  DEFAULT_MIN_SCORE,
  DEFAULT_TILES,
  DEFAULT_ZOOM_OUT,
  isTiles,
  kindleProject,
  resolveSettings,
  zoomOutFactor,
  type KindleOptions,
  type KindleSummary,
} from './job.js'
export { MAX_OVERLAY_IMAGES, thumbnailBoxes } from './overlay.js'
