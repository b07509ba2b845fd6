// The one contract between the UI and the studio. Every request, its result and every event are zod schemas, so both
// transports (Electron IPC and the serve-mode WebSocket) validate the same way and a bad message is refused by name.
import { z } from 'zod'
import { ENSEMBLE_METHODS, teacherSpecError } from './teachers.js'

// ---- shared vocabulary ----------------------------------------------------------------------------------------------

/** Where an image stands in the labelling workflow: nothing yet, labelled by a teacher, or checked by a person. */
export const ReviewState = z.enum(['new', 'kindled', 'reviewed'])
export type ReviewState = z.infer<typeof ReviewState>

export const Split = z.enum(['train', 'val', 'test'])
export type Split = z.infer<typeof Split>

export const ImageSort = z.enum(['name', 'newest', 'oldest'])
export type ImageSort = z.infer<typeof ImageSort>

const Id = z.number().int().positive()
/** A folder or file chosen by the user. Checked for existence by the studio, not here. */
const FsPath = z.string().min(1, 'must not be empty').max(4096)
/** A path as the studio wrote it (a recent list entry): absolute on POSIX (/…) or Windows (C:\… or \\server\…). */
const AbsolutePath = FsPath.refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'must be an absolute path')

export const Counts = z.object({
  images: z.number().int(),
  /** Label boxes (kindled, human, imported; not a model's predictions). */
  boxes: z.number().int(),
  /** Photos a training run learns from: with a label box, or reviewed (a reviewed photo without one is a true negative). */
  labelled: z.number().int(),
  reviewed: z.number().int(),
  kindled: z.number().int(),
  classes: z.number().int(),
  byState: z.record(ReviewState, z.number().int()),
})
export type Counts = z.infer<typeof Counts>

export const ProjectInfo = z.object({
  dir: z.string(),
  name: z.string(),
  counts: Counts,
})
export type ProjectInfo = z.infer<typeof ProjectInfo>

export const ImageSummary = z.object({
  id: Id,
  path: z.string(),
  name: z.string(),
  /** Content hash: names the thumbnail, so a cached one is never shown for another project's image with the same id. */
  sha256: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  split: Split,
  state: ReviewState,
  boxes: z.number().int(),
})
export type ImageSummary = z.infer<typeof ImageSummary>

/** Who drew a box: a teacher (kindled), a person (human, also imported labels) or a trained model (predicted). */
export const BoxSource = z.enum(['kindled', 'human', 'predicted'])
export type BoxSource = z.infer<typeof BoxSource>

/**
 * A box as a thumbnail draws it: corners as fractions of the photo's width and height (0–1), so the overlay needs no
 * pixel sizes, with where it came from.
 */
export const ThumbnailBox = z.object({
  imageId: Id,
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  source: BoxSource,
  score: z.number().nullable(),
})
export type ThumbnailBox = z.infer<typeof ThumbnailBox>

export const SkippedFile = z.object({ path: z.string(), reason: z.string() })
export type SkippedFile = z.infer<typeof SkippedFile>

export const JobKind = z.enum(['import', 'kindle', 'train', 'predict', 'export', 'evaluate'])
export const JobState = z.enum(['running', 'done', 'cancelled', 'failed'])
export type JobState = z.infer<typeof JobState>

export const JobProgress = z.object({
  jobId: z.string(),
  kind: JobKind,
  /** The project the job works on: after switching projects, the UI shows only the open project's jobs. */
  projectDir: z.string(),
  state: JobState,
  /** Work items finished (imported, duplicate or skipped) and the total once known (null while still counting). */
  done: z.number().int(),
  total: z.number().int().nullable(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  skipped: z.array(SkippedFile),
  /** Items per second over the run so far, and the estimated time left; null until there is enough to tell. */
  perSec: z.number().nullable(),
  etaMs: z.number().nullable(),
  elapsedMs: z.number(),
  /** Why a job failed; while one of several steps runs (an export), which step. */
  message: z.string().optional(),
})
export type JobProgress = z.infer<typeof JobProgress>

/** The TF.js backend that trains: tensorflow-gpu (CUDA), tensorflow (native CPU), wasm (XNNPACK) or cpu (plain JS). */
export const BackendInfo = z.object({
  name: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']),
  version: z.string(),
  threads: z.number().int(),
})
export type BackendInfo = z.infer<typeof BackendInfo>

/** A project in the recent list: `exists` is false when its folder (or the project in it) is gone, e.g. an unplugged drive. */
export const RecentProject = z.object({ dir: z.string(), name: z.string(), exists: z.boolean() })
export type RecentProject = z.infer<typeof RecentProject>

export const StudioInfo = z.object({
  version: z.string(),
  project: ProjectInfo.nullable(),
  /** The projects opened lately, newest first (the open one among them). */
  recent: z.array(RecentProject),
  /** Where "Create demo project" will put the demo unless the user picks another folder. */
  demoDir: z.string(),
  jobs: z.array(JobProgress),
  backend: BackendInfo,
})
export type StudioInfo = z.infer<typeof StudioInfo>

// ---- review vocabulary ----------------------------------------------------------------------------------------------

/** A label class as the Review page offers it: the number key that picks it is its position + 1. */
export const ClassInfo = z.object({ id: Id, name: z.string(), color: z.string(), position: z.number().int() })
export type ClassInfo = z.infer<typeof ClassInfo>

/** A box with where it came from. Pixels of the EXIF-oriented photo (the frame `width` × `height` describe). */
export const ReviewBox = z.object({
  id: Id,
  imageId: Id,
  classId: Id,
  x: z.number(),
  y: z.number(),
  w: z.number(),
  h: z.number(),
  source: BoxSource,
  teacher: z.string().nullable(),
  teacherVersion: z.string().nullable(),
  runId: z.number().int().nullable(),
  score: z.number().nullable(),
  // Loose on the way out: teachers may write attributes this UI version does not know, and it must still show the box.
  attributes: z.record(z.string(), z.unknown()),
})
export type ReviewBox = z.infer<typeof ReviewBox>

/** An attribute a person set (or confirmed), e.g. smiling: the same provenance shape the teachers write. */
export const BoxAttribute = z.strictObject({
  value: z.union([z.boolean(), z.number(), z.string().max(200)]),
  score: z.number().min(0).max(1).nullable().optional(),
  source: BoxSource.optional(),
})
const BoxAttributes = z.record(z.string().min(1).max(64), BoxAttribute).refine((a) => Object.keys(a).length <= 32, 'at most 32 attributes')

/**
 * Who said a photo's tag. A photo keeps one value per tag and source (its layers); the photo's tag is the top layer's:
 * human over imported over kindled over predicted, so a teacher or a model never overrides what a person said.
 */
export const TagSource = z.enum(['human', 'imported', 'kindled', 'predicted'])
export type TagSource = z.infer<typeof TagSource>
export const TAG_SOURCE_ORDER: readonly TagSource[] = ['human', 'imported', 'kindled', 'predicted']

/** A tag's name: also a CSV column and a CLI word, so letters, digits and `_ . -`, starting with a letter or digit. */
export const TagName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only, starting with a letter or digit')

/** One source's say on a photo's tag, with the provenance boxes have. */
export const TagLayer = z.object({
  value: z.boolean(),
  source: TagSource,
  teacher: z.string().nullable(),
  teacherVersion: z.string().nullable(),
  runId: z.number().int().nullable(),
  score: z.number().nullable(),
})
export type TagLayer = z.infer<typeof TagLayer>

/** A photo's tag: the top layer's value and provenance, and every layer top first (the first is the tag itself). */
export const ImageTag = TagLayer.extend({ name: z.string(), layers: z.array(TagLayer) })
export type ImageTag = z.infer<typeof ImageTag>

/** Photos whose tag `name` is `value` (false also takes photos with no say on it): the Library's and queue's tag filter. */
export const TagFilter = z.strictObject({ name: TagName, value: z.boolean() })
export type TagFilter = z.infer<typeof TagFilter>

/** Which photos a prediction job runs over: all, those not reviewed yet, or the val split. */
export const PredictScope = z.enum(['all', 'unreviewed', 'val'])
export type PredictScope = z.infer<typeof PredictScope>

export const PredictSettings = z.strictObject({
  runId: Id,
  /** A checkpoint of the run by its epoch; default the run's best. */
  epoch: z.number().int().min(1).optional(),
  scope: PredictScope.default('all'),
  /**
   * Detections below this score are not stored (and do not count for "disagree"). Default the run's deploy threshold
   * (Run.threshold) when it has one, else 0.3.
   */
  minScore: z.number().min(0.01).max(1).optional(),
  batchSize: z.number().int().min(1).max(64).default(8),
})
export type PredictSettings = z.input<typeof PredictSettings>

/** What a prediction job did. */
export const PredictSummary = z.object({
  runId: Id,
  epoch: z.number().int(),
  photos: z.number().int(),
  boxes: z.number().int(),
  disagree: z.number().int(),
  /** A classifier run's: photos whose predicted tag was written (and, of those, set true). Absent for a detector. */
  tagged: z.object({ tag: z.string(), photos: z.number().int(), set: z.number().int() }).optional(),
  skipped: z.number().int(),
  cancelled: z.boolean(),
})
export type PredictSummary = z.infer<typeof PredictSummary>

/** A model leaves the studio as ONNX (ONNX Runtime on the device, other tools) and as TF.js (the runner's fallback). */
export const ModelFormat = z.enum(['onnx', 'tfjs'])
export type ModelFormat = z.infer<typeof ModelFormat>

export const ExportSettings = z.strictObject({
  runId: Id,
  /** A checkpoint of the run by its epoch; default the run's best. */
  epoch: z.number().int().min(1).optional(),
  formats: z.array(ModelFormat).min(1).max(2).default(['onnx', 'tfjs']),
  /**
   * Also an int8 ONNX model, calibrated on the project's own train photos, with what it costs in accuracy: fp32 and
   * int8 scored on the val split.
   */
  int8: z.boolean().default(false),
  /** Train photos the int8 ranges are calibrated on (chosen evenly, the same ones each time). */
  calibrationPhotos: z.number().int().min(8).max(2000).default(300),
})
export type ExportSettings = z.input<typeof ExportSettings>

/**
 * What int8 costs, measured on the val split against the fp32 model (both run by ONNX Runtime): a detector's by AP50, a
 * whole-image classifier's by accuracy (`metric`; an export from before classifiers had int8 has none: AP50).
 */
export const Int8Report = z.object({
  calibrationPhotos: z.number().int(),
  valPhotos: z.number().int(),
  metric: z.enum(['ap50', 'accuracy']).optional(),
  /** A detector's; null for a classifier, and when nothing was scored. */
  fp32Ap50: z.number().nullable(),
  int8Ap50: z.number().nullable(),
  /** A classifier's: the share of val photos each model calls right; null when nothing was scored. */
  fp32Accuracy: z.number().nullable().optional(),
  int8Accuracy: z.number().nullable().optional(),
})
export type Int8Report = z.infer<typeof Int8Report>

/** An exported model: a folder in the project's exports/ with the files, and detector.json saying how to run them. */
export const ModelExport = z.object({
  dir: z.string(),
  runId: Id,
  epoch: z.number().int(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
  /** sha256 over the files: the model's identity (its folder name on a device). */
  sha256: z.string(),
  exportedAt: z.number(),
  int8: Int8Report.nullable(),
})
export type ModelExport = z.infer<typeof ModelExport>

/**
 * Which photos the review queue walks. `unreviewed` is new and kindled; `low-score` has a kindled box below the bar;
 * `disagree`: a trained model's predicted boxes and the photo's labels disagree (see `predict.start`).
 */
export const ReviewFilter = z.enum(['all', 'unreviewed', 'reviewed', 'low-score', 'no-boxes', 'disagree'])
export type ReviewFilter = z.infer<typeof ReviewFilter>

/** `score`: the photo's least confident kindled box first (photos with none last), where corrections pay off most. */
export const ReviewSort = z.enum(['score', 'name', 'newest'])
export type ReviewSort = z.infer<typeof ReviewSort>

export const ReviewQueueQuery = z.strictObject({
  filter: ReviewFilter.default('unreviewed'),
  /** Only photos with at least one box of this class. */
  classId: Id.optional(),
  split: Split.optional(),
  /** Only photos whose tag is (or, value false, is not) set. */
  tag: TagFilter.optional(),
  sort: ReviewSort.default('name'),
  /** The teacher score below which a kindled box counts as low (the `low-score` filter). */
  lowScore: z.number().min(0).max(1).default(0.5),
})
export type ReviewQueueQuery = z.input<typeof ReviewQueueQuery>

const Pixels = z.number().finite().min(0).max(1_000_000)
const Size = z.number().finite().gt(0, 'must be greater than 0').max(1_000_000)

const ClassName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'at most 64 characters')
  .refine((n) => !/[\u0000-\u001f]/.test(n), 'must not contain control characters')
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ff9f1c')

/** An entry of the edit log: a box or review edit on one photo, or a class edit (`class.*`, no photo: imageId null). */
export const Edit = z.object({
  id: Id,
  imageId: Id.nullable(),
  action: z.enum(['box.add', 'box.update', 'box.delete', 'image.review', 'class.add', 'class.update', 'class.delete', 'tag.set', 'tag.clear']),
})
export type Edit = z.infer<typeof Edit>

const EditStep = z.object({ edit: Edit.nullable(), classes: z.array(ClassInfo).optional() })

// ---- devices vocabulary ---------------------------------------------------------------------------------------------

/** A device's name: shown in the UI and typed on the command line; never sent to the device or used in a path. */
const DeviceName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'at most 64 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters')
const HostName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255)
  .refine((s) => !/[\s\u0000-\u001f]/.test(s), 'must not contain spaces or control characters')
const UserName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64)
  .refine((s) => !/[\s\u0000-\u001f]/.test(s), 'must not contain spaces or control characters')

const Passphrase = z.string().min(1, 'must not be empty').max(1024)

/** A host key as OpenSSH prints it (`ssh-keygen -l`): type and `SHA256:…` fingerprint. */
export const HostKeyInfo = z.object({ algorithm: z.string(), fingerprint: z.string() })
export type HostKeyInfo = z.infer<typeof HostKeyInfo>

/** What "Test connection" found. piModel, temperature and throttling are there on a Raspberry Pi. */
export const DeviceInfo = z.looseObject({
  arch: z.string(),
  os: z.string(),
  node: z.string().nullable(),
  cpu: z.string().nullable(),
  cores: z.number().nullable(),
  piModel: z.string().nullable(),
  tempC: z.number().nullable(),
  throttled: z.string().nullable(),
  throttling: z.array(z.string()),
  testedAt: z.number().optional(),
})
export type DeviceInfo = z.infer<typeof DeviceInfo>

/** A paired device (`ssh`), or this computer (`local`: the same runner without SSH, as a baseline). */
export const Device = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(['ssh', 'local']),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  user: z.string().nullable(),
  keyPath: z.string().nullable(),
  hostKey: HostKeyInfo.nullable(),
  info: DeviceInfo.nullable(),
  pairedAt: z.number(),
})
export type Device = z.infer<typeof Device>

/** What runs the model on the device: ONNX Runtime (its ONNX export, all cores, fp32 or int8) or TF.js wasm (one thread). */
export const DeployRuntime = z.enum(['onnx', 'tfjs'])
export type DeployRuntime = z.infer<typeof DeployRuntime>
/** The runtime asked for: auto is ONNX Runtime wherever it loads, else TF.js wasm with the reason recorded. */
export const DeployRuntimeChoice = z.enum(['auto', 'onnx', 'tfjs'])
export type DeployRuntimeChoice = z.infer<typeof DeployRuntimeChoice>
export const DeployPrecision = z.enum(['fp32', 'int8'])
export type DeployPrecision = z.infer<typeof DeployPrecision>

export const DeploymentState = z.enum(['running', 'done', 'cancelled', 'failed'])
export type DeploymentState = z.infer<typeof DeploymentState>

/** Latency over a deployment's samples (computed from the stored samples; throttling as the device reported it). */
export const LatencySummary = z.looseObject({
  samples: z.number().int(),
  p50Ms: z.number().nullable().optional(),
  p90Ms: z.number().nullable().optional(),
  p99Ms: z.number().nullable().optional(),
  meanMs: z.number().nullable().optional(),
  fps: z.number().nullable().optional(),
})
export type LatencySummary = z.infer<typeof LatencySummary>

export const Deployment = z.object({
  id: Id,
  deviceId: Id,
  device: z.string(),
  /** A preset name or a model folder: what was deployed, as the user picked it. */
  model: z.string(),
  modelSha256: z.string().nullable(),
  randomWeights: z.boolean(),
  iterations: z.number().int(),
  state: DeploymentState,
  /** Why it failed or stopped. */
  message: z.string().nullable(),
  /** 0 when the model and runner were already on the device. */
  uploadedBytes: z.number().int(),
  /** The runner's info line: node, arch, runtime, backend, threads, precision, input shape, CPU, Pi model. */
  info: z.record(z.string(), z.unknown()).nullable(),
  /** What was asked for (threads null: the device's cores). */
  requested: z.object({ runtime: DeployRuntimeChoice, threads: z.number().int().nullable(), precision: DeployPrecision }),
  /** What the runner reported it ran on (null until its info line arrives). */
  runtime: DeployRuntime.nullable(),
  threads: z.number().int().nullable(),
  precision: DeployPrecision.nullable(),
  /** Why ONNX Runtime was not used when runtime auto fell back to TF.js. */
  fallback: z.string().nullable(),
  summary: LatencySummary.nullable(),
  samples: z.number().int(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** The training run whose checkpoint this deployed (its name as it is now; the checkpoint's epoch), or null. */
  run: z.object({ id: Id, name: z.string(), epoch: z.number().int().nullable() }).nullable(),
  /** The first deployment of the comparison this one completes ("Compare …" on the Devices page), or null. */
  comparedWith: Id.nullable(),
})
export type Deployment = z.infer<typeof Deployment>

export const LatencySample = z.object({ i: z.number().int(), ms: z.number(), tempC: z.number().nullable() })
export type LatencySample = z.infer<typeof LatencySample>

// ---- training runs -------------------------------------------------------------------------------------------------

/**
 * What a training run is asked to do. The detector is a preset (its full config is stored with the run); the classes
 * are the project's classes when the run starts. Ground truth is every photo's boxes (`all`: kindled, human and
 * imported) or only reviewed photos' (`reviewed`). Photos in the `val` split are evaluated, never trained on; with no
 * val photos the run holds out a fixed tenth of the labelled photos (by content hash) and says so.
 */
/**
 * Where a run's initial weights come from: seeded random, or a pretrained backbone that ships in an installed package
 * (src/main/detector/pretrained.ts; the head and extra layers stay random).
 */
export const TrainInit = z.enum(['random', 'face-api-ssd-mobilenetv1'])
export type TrainInit = z.infer<typeof TrainInit>

/**
 * The preset the studio offers for a Raspberry Pi: the Train and Devices pages' default and `bench -- student`'s.
 * Width-1 MobileNet V1 SSD at a camera's 4:3 frame, because face-api's pretrained face backbone fits it: from that
 * start a half-hour run on a laptop's CPU comes close to its teacher (README, Performance: `bench -- student`).
 */
export const PI_PRESET = 'mobilenet-v1-ssd-320x240'

/**
 * What a run learns: to find objects' boxes (a detector, trained on the project's boxes), or to tell a whole photo's
 * image tag (a classifier, trained on the photos that have the tag, set or not).
 */
export const RunTask = z.enum(['detect', 'classify'])
export type RunTask = z.infer<typeof RunTask>

/** A preset as the Train page offers it: a detector's, or a whole-image classifier's (task classify). */
export const TrainPreset = z.object({
  name: z.string(),
  task: RunTask,
  /** It is PI_PRESET. */
  recommended: z.boolean(),
  /** The initial weights that fit its backbone, its default first (a pretrained backbone where one fits); random is always one. */
  inits: z.array(TrainInit).min(1),
  /** The network's input frame, e.g. "320×240". What follows is null where the studio has no figure (never guessed). */
  input: z.string().nullable(),
  /** Parameters and multiply-adds a frame, as `kindling presets` counts them. */
  params: z.number().int().nullable(),
  macs: z.number().int().nullable(),
  /** A training step at batch 8 on both cores of the studio's 2-core test machine, and that time ÷ the Pi preset's. */
  training: z.object({ stepSeconds: z.number(), relativeToPi: z.number(), bench: z.string() }).nullable(),
  /** Milliseconds a frame on ONNX Runtime (the device runner's engine), fp32 and int8, on that machine. */
  latency: z.object({ fp32Ms: z.number(), int8Ms: z.number(), bench: z.string() }).nullable(),
})
export type TrainPreset = z.infer<typeof TrainPreset>

/**
 * Labelled photos per split under a label choice: what a run trains on (`train`), evaluates on (`val`) and never
 * touches (`test`, kept for a final score). With no labelled val photo a run holds out `heldOut` of the train photos to
 * evaluate on instead (0 otherwise), so it learns from `train − heldOut`.
 */
export const SplitCounts = z.object({
  train: z.number().int(),
  val: z.number().int(),
  test: z.number().int(),
  heldOut: z.number().int(),
})
export type SplitCounts = z.infer<typeof SplitCounts>

/**
 * `freezeBackboneEpochs` at its most: the backbone frozen for the whole run (what learns an attribute class best, the
 * head then training on kept maps: README, "Fine-tune with new classes").
 */
export const FROZEN_THROUGHOUT = 10_000

export const TrainSettings = z.strictObject({
  preset: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(100).optional(),
  /** How long, in epochs (DEFAULT_EPOCHS when neither this nor `minutes` is given; the studio stores it filled in). */
  epochs: z.number().int().min(1).max(10_000).optional(),
  /**
   * How long, in minutes of wall-clock time, instead of epochs (giving both is refused): the run times its first steps,
   * plans the steps that fit (evaluations and the last checkpoint included), sizes its learning-rate schedule to them
   * and re-plans as the pace changes.
   */
  minutes: z.number().min(0.1).max(10_000).optional(),
  batchSize: z.number().int().min(1).max(256).default(16),
  learningRate: z.number().positive().max(1).default(1e-3),
  labels: z.enum(['all', 'reviewed']).default('all'),
  /** Random horizontal flips, crops and colour jitter on training photos (never on val). */
  augment: z.boolean().default(true),
  /** Evaluate on val, and checkpoint, every N epochs (and always after the last). */
  evalEvery: z.number().int().min(1).max(1000).default(1),
  /** Seeds the initial weights, the shuffling and the augmentation: the same seed and data give the same run. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  /**
   * The initial weights. Absent, the preset's default: a pretrained backbone where one fits it, else random (the studio
   * stores it filled in; runs recorded before it did so started random, and resume that way).
   */
  init: TrainInit.optional(),
  /**
   * Fine-tune from a trained run's checkpoint (its best, or epoch `epoch`'s): the new run takes the parent's preset and
   * starts from its weights — backbone, box head and the classes it keeps — with fresh weights only for new classes'
   * scores. `preset` and `init` are then the parent's (the request's are ignored).
   */
  from: z.strictObject({ runId: Id, epoch: z.number().int().min(1).optional() }).optional(),
  /**
   * The run's classes, in the model's order. Absent, the project's classes. Each is a project class or comes from one
   * by `classMap`; a fine-tune's must keep every class of its parent.
   */
  classes: z.array(z.string().trim().min(1).max(100)).min(1).max(100).optional(),
  /**
   * Classes made from a project class's boxes by an attribute when the run loads its photos (nothing in the project
   * is relabelled): `{ 'smiling-face': { from: 'face', attribute: 'smiling' } }` trains a face box whose `smiling`
   * attribute is true as a smiling-face box, and the others as faces.
   */
  classMap: z.record(z.string().trim().min(1).max(100), z.strictObject({ from: z.string().min(1), attribute: z.string().min(1) })).optional(),
  /**
   * Keep the backbone's weights (a detector's extra layers too) as they start — the parent's — for the first N epochs,
   * while the new head settles.
   */
  freezeBackboneEpochs: z.number().int().min(0).max(FROZEN_THROUGHOUT).optional(),
  /**
   * The image tag a classifier preset learns (required for one, refused for a detector's): trained on the photos that
   * have the tag, set or not, from a person, a label file or kindling (never a model's prediction); photos without it
   * are unlabelled and left out. Its two classes are "not TAG" and "TAG".
   */
  tag: TagName.optional(),
})
export type TrainSettings = z.output<typeof TrainSettings>

/** A run's length when it names neither epochs nor minutes. */
export const DEFAULT_EPOCHS = 10

export const RunState = z.enum(['running', 'done', 'cancelled', 'failed'])
export type RunState = z.infer<typeof RunState>

export const Run = z.object({
  id: Id,
  name: z.string(),
  preset: z.string(),
  settings: TrainSettings,
  state: RunState,
  /** Why it failed (e.g. "the loss became NaN at step 412"), or null. */
  error: z.string().nullable(),
  /** The backend it trained on (tensorflow-gpu, tensorflow, wasm, cpu). */
  backend: z.string(),
  classes: z.array(z.string()),
  trainImages: z.number().int(),
  valImages: z.number().int(),
  /** No photo was in the val split, so the run held out a fixed tenth of the labelled photos to evaluate on. */
  valHeldOut: z.boolean(),
  /** Photos the run could not read and trained without. */
  warnings: z.array(SkippedFile),
  /**
   * Optimizer steps done and planned (epochs × batches per epoch; for a run with a time budget, the steps that fit,
   * 0 until its first steps are timed, and re-planned as the pace changes); step numbers follow the plan, so a resumed
   * run's steps continue where its last checkpoint was (the steps trained after it are dropped and trained again).
   */
  step: z.number().int(),
  steps: z.number().int(),
  /** The epoch being trained, from 1 (0 before the first step); stored once an epoch, the step events say more. */
  epoch: z.number().int(),
  createdAt: z.number(),
  endedAt: z.number().nullable(),
  /** The best evaluation so far (by AP50 on val) and its checkpoint: a TF.js layers model folder with detector.json. */
  bestAp50: z.number().nullable(),
  bestCheckpoint: z.string().nullable(),
  /** The run it was fine-tuned from and the epoch of the checkpoint it started from (its name as it is now), or null. */
  parent: z.object({ runId: Id.nullable(), name: z.string().nullable(), epoch: z.number().int() }).nullable(),
  /** A detector's (boxes) or a whole-image classifier's (its settings' tag). */
  task: RunTask,
  /** A classifier's best accuracy on val so far (its best checkpoint is that evaluation's, the latest of equals); null for a detector. */
  bestAccuracy: z.number().nullable(),
  /**
   * The score threshold a person chose for deploying this run ("use for deploy" on the Evaluate page): predict, export
   * and deploy use it when they are given none. Null: the preset's own (its decoding.scoreThreshold).
   */
  threshold: z.number().nullable(),
})
export type Run = z.infer<typeof Run>

/** One optimizer step's losses (the training curves). */
export const RunStep = z.object({
  step: z.number().int(),
  /** From 1. */
  epoch: z.number().int(),
  loss: z.number(),
  classification: z.number(),
  box: z.number(),
  learningRate: z.number(),
  at: z.number(),
})
export type RunStep = z.infer<typeof RunStep>

/** One class of a classifier's evaluation: precision and recall (null where nothing was predicted as or is of it). */
export const ClassScore = z.object({
  name: z.string(),
  /** Val photos of this class. */
  photos: z.number().int(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
})
export type ClassScore = z.infer<typeof ClassScore>

/** A classifier's evaluation on val: accuracy, per-class precision and recall, and the confusion matrix. */
export const ClassifierScore = z.object({
  accuracy: z.number(),
  photos: z.number().int(),
  classes: z.array(ClassScore),
  /** confusion[actual][predicted]: val photos of class `actual` the model called `predicted` (the classes' order). */
  confusion: z.array(z.array(z.number().int())),
})
export type ClassifierScore = z.infer<typeof ClassifierScore>

/**
 * One evaluation on val: VOC AP at IoU 0.5, COCO AP over 0.50:0.95, recall at 0.5, and the checkpoint it scored. A
 * classifier draws no boxes: its AP50, AP and recall are 0 and `classifier` holds its scores.
 */
export const RunEval = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  ap50: z.number(),
  ap: z.number(),
  recall: z.number(),
  checkpoint: z.string(),
  at: z.number(),
  classifier: ClassifierScore.nullable().optional(),
})
export type RunEval = z.infer<typeof RunEval>

// ---- evaluations ---------------------------------------------------------------------------------------------------

/**
 * The split an evaluation scores: val by default; test only when asked for by name (it is the held-back final score,
 * so nothing ever picks it silently).
 */
export const EvalSplit = z.enum(['val', 'test'])
export type EvalSplit = z.infer<typeof EvalSplit>

/**
 * The IoU a detection must reach to count as finding a labelled box: 0.5, 0.75, or 'coco' (the AP averaged over
 * 0.50:0.05:0.95; its curves, errors and thresholds are the ones at 0.5, since a curve needs one IoU).
 */
export const EvalIou = z.union([z.literal(0.5), z.literal(0.75), z.literal('coco')])
export type EvalIou = z.infer<typeof EvalIou>

/** COCO's object sizes by the labelled box's area in the photo's own pixels: small < 32², medium < 96², large. */
export const BoxSize = z.enum(['small', 'medium', 'large'])
export type BoxSize = z.infer<typeof BoxSize>

export const EvaluationState = z.enum(['running', 'done', 'cancelled', 'failed'])
export type EvaluationState = z.infer<typeof EvaluationState>

/** A score threshold and what the model does there (over every class: the one threshold a deployed model uses). */
export const OperatingPoint = z.object({
  score: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** Detections at or above `score` that find a labelled box (tp) and that find none (fp: false alarms). */
  tp: z.number().int(),
  fp: z.number().int(),
  /** Labelled boxes no detection at or above `score` finds. */
  misses: z.number().int(),
})
export type OperatingPoint = z.infer<typeof OperatingPoint>

/**
 * One point of a precision/recall curve: counting every detection scoring at least `score`, `tp` found a labelled box
 * and `fp` did not. Precision = tp / (tp + fp), recall = tp / labelled, false alarms = fp, misses = labelled − tp.
 * Points run from the highest score down; at a threshold between two points, the state is the last point whose score
 * is at or above it (none: nothing counted yet).
 */
export const CurvePoint = z.object({ score: z.number(), tp: z.number().int(), fp: z.number().int() })
export type CurvePoint = z.infer<typeof CurvePoint>

export const EvalClassReport = z.object({
  /** 1-based, in the run's class order (errors' `classIndex` names classes the same way). */
  classIndex: z.number().int(),
  name: z.string(),
  /** Labelled boxes of the class in the split's photos. */
  labelled: z.number().int(),
  detections: z.number().int(),
  /** Null when the class has no labelled box in the split. */
  ap50: z.number().nullable(),
  ap75: z.number().nullable(),
  /** COCO AP over IoU 0.50:0.95. */
  ap: z.number().nullable(),
  /** At the chosen IoU, at most ~500 points (downsampled evenly by rank; the first and last kept). */
  curve: z.array(CurvePoint),
  /** The class's own best-F1 threshold, or null when nothing is found. */
  bestF1: OperatingPoint.nullable(),
})
export type EvalClassReport = z.infer<typeof EvalClassReport>

/**
 * Labelled boxes of one size (every class) and how many are found: at the report's threshold, and at any score (every
 * kept detection counted: the most this checkpoint can find). `curve`: boxes found counting detections at or above
 * each score, highest first (at most ~200 points), so recall by size at any threshold is found there ÷ labelled.
 */
export const SizeBreakdown = z.object({
  size: BoxSize,
  /** Area bounds in square pixels: [min, max), max null for large. */
  minArea: z.number(),
  maxArea: z.number().nullable(),
  labelled: z.number().int(),
  found: z.number().int(),
  recall: z.number().nullable(),
  foundAtAnyScore: z.number().int(),
  recallAtAnyScore: z.number().nullable(),
  curve: z.array(z.object({ score: z.number(), found: z.number().int() })),
})
export type SizeBreakdown = z.infer<typeof SizeBreakdown>

/**
 * Which class the model said for which labelled class at the report's threshold and IoU, classes matched regardless of
 * their name (best overlap first, highest score first): `counts[actual][predicted]` over the run's classes plus a last
 * row and column "background" — a detection over no labelled box is `[background][predicted]` (a false alarm), a
 * labelled box no detection covers is `[actual][background]` (a miss).
 */
export const ConfusionMatrix = z.object({
  labels: z.array(z.string()),
  counts: z.array(z.array(z.number().int())),
})
export type ConfusionMatrix = z.infer<typeof ConfusionMatrix>

/** An evaluation: one checkpoint's detections over one split's photos, computed once and kept. */
export const Evaluation = z.object({
  id: Id,
  runId: Id,
  epoch: z.number().int(),
  split: EvalSplit,
  state: EvaluationState,
  /** Why it failed, or null. */
  error: z.string().nullable(),
  /** Photos in the split when it ran, photos inferred so far, and those that could not be read. */
  photos: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  /** Detections kept (every one at or above `minScore`, after the preset's NMS, at most `topK` a photo). */
  detections: z.number().int(),
  minScore: z.number(),
  topK: z.number().int(),
  /** The checkpoint folder it scored. */
  checkpoint: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
})
export type Evaluation = z.infer<typeof Evaluation>

export const EvaluationReport = z.object({
  evaluation: Evaluation,
  iou: EvalIou,
  /**
   * The evaluated photos that count now (labelled, or reviewed with no face: a true negative) and their labelled boxes;
   * a photo whose labels were all deleted since, and never reviewed, drops out.
   */
  labelledPhotos: z.number().int(),
  labelled: z.number().int(),
  /** Means over the classes with labelled boxes. */
  ap50: z.number().nullable(),
  ap75: z.number().nullable(),
  ap: z.number().nullable(),
  classes: z.array(EvalClassReport),
  /** Every class pooled, at the chosen IoU: the curve the threshold picker moves along. */
  curve: z.array(CurvePoint),
  /** The threshold with the best F1 over every class pooled: the suggestion for "use for deploy". Null: nothing found. */
  bestF1: OperatingPoint.nullable(),
  /** The threshold the sizes and confusion use: `threshold` if the request gave one, else the best-F1 one (0.5 if none). */
  threshold: z.number(),
  at: OperatingPoint,
  sizes: z.array(SizeBreakdown),
  /** Null for a one-class run. */
  confusion: ConfusionMatrix.nullable(),
  /** The run's stored deploy threshold (Run.threshold), or null. */
  runThreshold: z.number().nullable(),
  /**
   * When the matching against the labels was done, and a fingerprint of the split's labels it used: a box fixed in
   * Review changes the fingerprint, and the next report is matched again.
   */
  matchedAt: z.number(),
  labelsFingerprint: z.string(),
})
export type EvaluationReport = z.infer<typeof EvaluationReport>

/** Which mistakes: detections at or above the threshold that find no labelled box, or labelled boxes none finds. */
export const EvalErrorKind = z.enum(['false-alarm', 'miss'])
export type EvalErrorKind = z.infer<typeof EvalErrorKind>

const PixelBox = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() })

/**
 * One mistake, with what the page needs to draw it: the photo, the box in photo pixels (EXIF-oriented), its class and
 * score. A miss carries its labelled box's id (to open it in Review) and the detection that overlaps it most (any
 * score kept, any class), if any, with that overlap.
 */
export const EvalError = z.object({
  kind: EvalErrorKind,
  image: z.object({ id: Id, path: z.string(), sha256: z.string(), width: z.number().int(), height: z.number().int() }),
  box: PixelBox,
  classIndex: z.number().int(),
  className: z.string(),
  /** A false alarm's score; null for a miss. */
  score: z.number().nullable(),
  /** A miss's labelled box (boxes table id); null for a false alarm. */
  boxId: z.number().int().nullable(),
  size: BoxSize,
  /** A miss's best overlapping detection; a false alarm's best overlapping labelled box (below the IoU); or null. */
  nearest: PixelBox.extend({ classIndex: z.number().int(), score: z.number().nullable(), iou: z.number() }).nullable(),
})
export type EvalError = z.infer<typeof EvalError>

const EvalCheckpoint = {
  runId: Id,
  /** A checkpoint of the run by its epoch; default the run's best. */
  epoch: z.number().int().min(1).optional(),
  split: EvalSplit.default('val'),
}
const Threshold = z.number().gt(0, 'must be greater than 0').lt(1, 'must be less than 1')

export const DeployPhase = z.enum(['preparing', 'connecting', 'uploading', 'running', 'finished'])
export type DeployPhase = z.infer<typeof DeployPhase>

/** The most photos one `kindle.start` names: a selection beyond it is kindled by scope instead. */
export const MAX_KINDLE_IMAGE_IDS = 100_000

// ---- comparing runs ------------------------------------------------------------------------------------------------

/**
 * A run's speed on one device, from the deployments already stored: of the newest finished deployment per runtime and
 * precision (ONNX Runtime or TF.js, fp32 or int8), the fastest by p50 — the others are `alternatives`.
 */
export const CompareLatency = z.object({
  deploymentId: Id,
  p50Ms: z.number(),
  p90Ms: z.number().nullable(),
  runtime: DeployRuntime.nullable(),
  precision: DeployPrecision.nullable(),
  threads: z.number().int().nullable(),
  /** The checkpoint's epoch it deployed (null: not recorded). */
  epoch: z.number().int().nullable(),
  measuredAt: z.number(),
  /** The newest finished deployment of each other runtime and precision measured there, fastest first. */
  alternatives: z.array(
    z.object({ deploymentId: Id, p50Ms: z.number(), runtime: DeployRuntime.nullable(), precision: DeployPrecision.nullable() }),
  ),
})
export type CompareLatency = z.infer<typeof CompareLatency>

/** One finished run (or one cancelled with a checkpoint) as the Compare page's table and chart show it. */
export const CompareRow = z.object({
  runId: Id,
  name: z.string(),
  task: RunTask,
  state: RunState,
  preset: z.string(),
  /** The backbone by name, with its width where it has one ("mobilenet-v1 α=1"). */
  backbone: z.string(),
  /** The network's input frame, "320×240". */
  input: z.string(),
  classes: z.array(z.string()),
  trainImages: z.number().int(),
  valImages: z.number().int(),
  valHeldOut: z.boolean(),
  /** What the run was asked for: a number of epochs, or minutes of wall-clock time. */
  budget: z.object({ unit: z.enum(['epochs', 'minutes']), value: z.number() }),
  step: z.number().int(),
  steps: z.number().int(),
  /** The epoch of the best checkpoint, which the scores are of (null before an evaluation). */
  bestEpoch: z.number().int().nullable(),
  /** A detector's best checkpoint's scores on val (null for a classifier, or before an evaluation). */
  ap50: z.number().nullable(),
  ap: z.number().nullable(),
  recall: z.number().nullable(),
  /** A classifier's best val accuracy (null for a detector). */
  accuracy: z.number().nullable(),
  /** Parameters and multiply-adds a frame of the run's own model (its classes included); null where unknown. */
  params: z.number().int().nullable(),
  macs: z.number().int().nullable(),
  parent: Run.shape.parent,
  /** The best checkpoint's folder (what the Devices page deploys), or null. */
  checkpoint: z.string().nullable(),
  createdAt: z.number(),
  /** Its speed on the chosen device; null where it was never deployed there. */
  latency: CompareLatency.nullable(),
  /**
   * On the accuracy–latency front among the runs of its task measured on the device: no other run is both at least as
   * accurate (AP50; a classifier's accuracy) and at least as fast (p50), and better in one. Never for an unmeasured run.
   */
  onFront: z.boolean(),
})
export type CompareRow = z.infer<typeof CompareRow>

// ---- requests ------------------------------------------------------------------------------------------------------

const NoParams = z.strictObject({})

export const requests = {
  /** Version, the open project (if any) and running jobs: what the UI needs on load. */
  'studio.info': { params: NoParams, result: StudioInfo },
  /** Open a project folder; `create` makes the folder and an empty project if it has none. */
  'project.open': { params: z.strictObject({ dir: FsPath, create: z.boolean().default(false) }), result: ProjectInfo },
  /** Create (or reopen) the demo project from the group photos that ship with the teacher models. */
  'project.demo': { params: z.strictObject({ dir: FsPath.optional() }), result: ProjectInfo },
  'project.counts': { params: NoParams, result: Counts },
  /** Remove a project from the recent list (the folder is left alone); the list as it now is. */
  'project.forget': { params: z.strictObject({ dir: AbsolutePath }), result: z.array(RecentProject) },
  /** One page of the image list, filtered and sorted as the Library and Review pages show it. */
  'images.page': {
    params: z.strictObject({
      state: ReviewState.optional(),
      /** Only photos whose tag is (or is not) set. */
      tag: TagFilter.optional(),
      sort: ImageSort.default('name'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    result: z.object({ total: z.number().int(), offset: z.number().int(), items: z.array(ImageSummary) }),
  },
  /**
   * The boxes of some photos, for drawing on their thumbnails: the Library asks for the page it shows (at most 1,000
   * photos), never for the whole project.
   */
  'images.boxes': {
    params: z.strictObject({ ids: z.array(Id).max(1000) }),
    result: z.object({ boxes: z.array(ThumbnailBox) }),
  },
  /** Import the photos under a folder, recursively. Returns at once; progress arrives as `job.progress` events. */
  'import.start': { params: z.strictObject({ dir: FsPath }), result: z.object({ jobId: z.string() }) },
  'jobs.cancel': { params: z.strictObject({ jobId: z.string().min(1) }), result: z.object({ cancelled: z.boolean() }) },
  /**
   * Label the project's photos (or a selection) with a teacher detector, as a job. Never touches reviewed photos or a
   * person's boxes; kindling again with the same teacher replaces only that teacher's unreviewed boxes.
   */
  'kindle.start': {
    params: z.strictObject({
      /** A single teacher, or an ensemble: `a+b` (with `ensemble`) or `ensemble(a+b,wbf)` (shared/teachers.ts). */
      teacher: z
        .string()
        .max(200)
        .superRefine((t, ctx) => {
          const problem = teacherSpecError(t)
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        })
        .optional(),
      ensemble: z.enum(ENSEMBLE_METHODS).optional(),
      /** Which photos: `new` — not kindled by any teacher yet; `unreviewed` (default) — every photo no person reviewed. */
      scope: z.enum(['new', 'unreviewed']).optional(),
      minScore: z.number().min(0).max(1).optional(),
      smile: z.boolean().optional(),
      /** Tiled kindling for small faces in big photos: off, auto (2×2 on big photos) or an N×N grid; default per docs/multiscale.md. */
      tiles: z.union([z.enum(['off', 'auto']), z.number().int().min(2).max(4)]).optional(),
      /** Kindle only these photos (a selection in the Library); at most MAX_KINDLE_IMAGE_IDS. */
      imageIds: z.array(Id).max(MAX_KINDLE_IMAGE_IDS).optional(),
      /** Kindle again photos this teacher already kindled with the same settings (they are skipped otherwise). */
      redo: z.boolean().optional(),
      /** The zoomed-out pass (docs/multiscale.md): on (default) or off, as the CLI's --no-zoom-out. */
      zoomOut: z.boolean().optional(),
    }),
    result: z.object({ jobId: z.string() }),
  },
  /**
   * A page of the review queue (the order next/previous follow). With `around`, the page is centred on that photo and
   * `position` is its place in the queue (null when it is not in it, e.g. just accepted out of "unreviewed").
   */
  'review.queue': {
    params: ReviewQueueQuery.extend({
      around: Id.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(3),
    }),
    result: z.object({
      total: z.number().int(),
      offset: z.number().int(),
      ids: z.array(Id),
      position: z.number().int().nullable(),
    }),
  },
  /**
   * The next (or previous) photos of the review queue after `from` in queue order — from the start (or the end) without
   * it. An index seek whatever the queue's size: this is what next/previous and the page's prefetch ask. `from` need
   * not be in the queue (a photo just accepted out of "unreviewed" still has a place to go on from).
   */
  'review.step': {
    params: ReviewQueueQuery.extend({
      from: Id.optional(),
      direction: z.enum(['next', 'previous']).default('next'),
      limit: z.number().int().min(1).max(50).default(1),
    }),
    result: z.object({ ids: z.array(Id) }),
  },
  /** One photo for the editor: its details, its boxes with provenance, and the project's classes. */
  'review.image': {
    params: z.strictObject({ id: Id }),
    result: z.object({ image: ImageSummary, boxes: z.array(ReviewBox), classes: z.array(ClassInfo), tags: z.array(ImageTag) }),
  },
  /** A photo's tags, by name. */
  'tags.list': { params: z.strictObject({ imageId: Id }), result: z.object({ tags: z.array(ImageTag) }) },
  /** The tag names the project's photos have (any source), for the Library's tag filter. */
  'tags.names': { params: NoParams, result: z.object({ names: z.array(z.string()) }) },
  /** A person says a photo's tag is (or is not) set: the human layer, logged for undo. Answers the photo's tags. */
  'tags.set': {
    params: z.strictObject({ imageId: Id, name: TagName, value: z.boolean() }),
    result: z.object({ tags: z.array(ImageTag) }),
  },
  /** A person takes back what they said of a tag (logged for undo): the machines' layers, if any, show again. */
  'tags.clear': { params: z.strictObject({ imageId: Id, name: TagName }), result: z.object({ tags: z.array(ImageTag) }) },
  /** A person draws a box. Answered once it is committed: the answer is what the UI shows as "saved". */
  'boxes.add': {
    params: z.strictObject({
      imageId: Id,
      classId: Id,
      x: Pixels,
      y: Pixels,
      w: Size,
      h: Size,
      attributes: BoxAttributes.default({}),
    }),
    result: ReviewBox,
  },
  /** Move, resize, reclass or re-attribute a box (it becomes a human box); `attributes` replaces the whole set. */
  'boxes.update': {
    params: z.strictObject({
      id: Id,
      classId: Id.optional(),
      x: Pixels.optional(),
      y: Pixels.optional(),
      w: Size.optional(),
      h: Size.optional(),
      attributes: BoxAttributes.optional(),
    }),
    result: ReviewBox,
  },
  'boxes.delete': { params: z.strictObject({ id: Id }), result: z.object({ id: Id }) },
  /** Accept a photo (a person checked every box) or take the acceptance back. */
  'images.setReviewed': {
    params: z.strictObject({ id: Id, reviewed: z.boolean() }),
    result: z.object({ id: Id, state: ReviewState }),
  },
  /** A new label class, last in key order (number key = position + 1); a colour is picked when none is given. */
  'classes.add': {
    params: z.strictObject({ name: ClassName, color: Color.optional() }),
    result: ClassInfo,
  },
  /** Rename or recolour a class. */
  'classes.update': {
    params: z.strictObject({ id: Id, name: ClassName.optional(), color: Color.optional() }),
    result: ClassInfo,
  },
  /** Remove a class no box uses (a class with boxes is refused: delete or reclass its boxes first). */
  'classes.delete': { params: z.strictObject({ id: Id }), result: z.object({ id: Id }) },
  /**
   * Undo the latest edit in the project's edit log (which survives restarts); null when there is none. Box, review and
   * class edits share one stack. After a class edit, `classes` is the project's class list as it now is. A step that
   * would leave boxes without their class (undoing a class add, redoing a delete, while boxes use it) is refused as a
   * conflict and changes nothing.
   */
  'edits.undo': { params: NoParams, result: EditStep },
  'edits.redo': { params: NoParams, result: EditStep },
  /** Whether undo and redo have a step to take now (the Review page's Undo and Redo buttons). */
  'edits.status': { params: NoParams, result: z.object({ canUndo: z.boolean(), canRedo: z.boolean() }) },
  /** Devices: this computer first, then paired devices by name. */
  'devices.list': { params: NoParams, result: z.array(Device) },
  /** A new ed25519 key (owner-only, in the project's keys/ folder) and the line to paste into ~/.ssh/authorized_keys. */
  'devices.generateKey': { params: NoParams, result: z.object({ keyPath: z.string(), publicKey: z.string() }) },
  /**
   * The public key line of an existing private key, checked (owner-only, readable; opened with `passphrase` if it has
   * one). `canKeepPassphrase`: whether this studio can keep a passphrase (sealed by the OS keychain — the desktop app).
   */
  'devices.publicKey': {
    params: z.strictObject({ keyPath: FsPath, passphrase: Passphrase.optional() }),
    result: z.object({ publicKey: z.string(), encrypted: z.boolean(), canKeepPassphrase: z.boolean() }),
  },
  /** The host key a device presents, without logging in: what the pairing form asks the user to check. */
  'devices.hostKey': {
    params: z.strictObject({ host: HostName, port: z.number().int().min(1).max(65535).default(22) }),
    result: HostKeyInfo,
  },
  /**
   * Pair a device (or pair it again: a new address, key, or accepting a changed host key). Connects, logs in with the
   * key and pins the host key — only if it is the fingerprint in `acceptHostKey` (or any, with `true`).
   */
  'devices.add': {
    params: z.strictObject({
      name: DeviceName,
      host: HostName,
      port: z.number().int().min(1).max(65535).default(22),
      user: UserName,
      keyPath: FsPath,
      /** Only for a key protected by one; kept sealed by the OS keychain (desktop app), refused where there is none. */
      passphrase: Passphrase.optional(),
      acceptHostKey: z.union([z.literal(true), z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256:… fingerprint')]).optional(),
    }),
    result: z.object({ device: Device, info: DeviceInfo }),
  },
  'devices.remove': { params: z.strictObject({ name: DeviceName }), result: z.object({ removed: z.boolean() }) },
  /** Connect (pinned host key) and report architecture, OS, node, CPU and, on a Pi, model, temperature, throttling. */
  'devices.test': { params: z.strictObject({ name: DeviceName }), result: DeviceInfo },
  /**
   * Deploy a preset (exported with its initial weights, or fresh random ones), a training run's checkpoint or a model
   * folder to a device and benchmark it there. Returns at once; samples arrive as `deploy.sample` events, state changes as `deploy.changed`.
   */
  'deploy.start': {
    params: z
      .strictObject({
        device: DeviceName,
        preset: z.string().min(1).max(100).optional(),
        modelDir: FsPath.optional(),
        /** A training run: its best checkpoint, or the given epoch's (exported with model.onnx as it deploys). */
        runId: Id.optional(),
        epoch: z.number().int().min(1).optional(),
        /** The deployment this one is compared with (its first half): history shows the two together. */
        compareWith: Id.optional(),
        iterations: z.number().int().min(1).max(100_000).default(100),
        warmup: z.number().int().min(0).max(1000).default(5),
        randomWeights: z.boolean().default(false),
        /** auto: ONNX Runtime where it loads on the device, else TF.js wasm (the deployment records why). */
        runtime: DeployRuntimeChoice.default('auto'),
        /** ONNX Runtime's threads; default the device's cores. TF.js wasm runs on one. */
        threads: z.number().int().min(1).max(256).optional(),
        /** int8 runs the model's int8 export (model.int8.onnx) on ONNX Runtime. */
        precision: DeployPrecision.default('fp32'),
      })
      .refine((p) => [p.preset, p.modelDir, p.runId].filter((v) => v !== undefined).length === 1, {
        message: 'give one of preset, modelDir or runId',
        path: ['preset'],
      })
      .refine((p) => p.epoch === undefined || p.runId !== undefined, {
        message: "epoch picks a run's checkpoint: give runId with it",
        path: ['epoch'],
      })
      .refine((p) => p.runtime !== 'tfjs' || p.precision === 'fp32', {
        message: 'TF.js runs the fp32 model only: int8 needs runtime onnx or auto',
        path: ['precision'],
      })
      .refine((p) => p.runtime !== 'tfjs' || p.threads === undefined || p.threads === 1, {
        message: 'TF.js wasm runs on one thread in Node',
        path: ['threads'],
      }),
    result: z.object({ deploymentId: Id }),
  },
  'deploy.cancel': { params: z.strictObject({ deploymentId: Id }), result: z.object({ cancelled: z.boolean() }) },
  /** The presets a deployment can export (the Devices page's choice): the detectors', then the classifiers'. */
  'deploy.presets': { params: NoParams, result: z.array(z.string()) },
  /** Deployments newest first, of one device or all: the history to compare models and devices. */
  'deploy.history': {
    params: z.strictObject({ device: DeviceName.optional(), limit: z.number().int().min(1).max(1000).default(100) }),
    result: z.array(Deployment),
  },
  /** One deployment with all its samples (for the live chart after a reload, or to compare two runs). */
  'deploy.samples': {
    params: z.strictObject({ deploymentId: Id }),
    result: z.object({ deployment: Deployment, samples: z.array(LatencySample) }),
  },
  /**
   * Train a detector on the project's labels, as a job (one at a time, like import and kindling). Returns at once;
   * steps arrive as `run.step` events, evaluations as `run.eval`, state changes as `run.changed`; cancel with
   * `jobs.cancel`. A non-finite loss stops the run as failed, naming the step; the checkpoints so far stay.
   */
  'train.start': { params: TrainSettings, result: z.object({ jobId: z.string(), runId: Id }) },
  /** Go on with a cancelled or failed run from its last checkpoint, to its planned epochs. */
  'train.resume': { params: z.strictObject({ runId: Id }), result: z.object({ jobId: z.string(), runId: Id }) },
  /**
   * Run a run's checkpoint (its best, or the given epoch's) over photos as a job, storing each photo's detections at or
   * above `minScore` as predicted boxes (replacing its earlier ones) and whether they disagree with its labels (the
   * review queue's `disagree` filter). One job at a time; cancel keeps the photos done.
   */
  'predict.start': { params: PredictSettings, result: z.object({ jobId: z.string() }) },
  /** The presets a run can train, in the order the Train page offers them: detectors (the recommended first), then classifiers. */
  'train.presets': { params: NoParams, result: z.array(TrainPreset) },
  /**
   * The project's labelled photos per split under a label choice, as a run would split them; with `tag`, those a
   * classifier of that tag would (the photos with the tag, set or not).
   */
  'train.counts': {
    params: z.strictObject({ labels: z.enum(['all', 'reviewed']).default('all'), tag: TagName.optional() }),
    result: SplitCounts,
  },
  /** The project's runs, newest first. */
  'runs.list': { params: NoParams, result: z.array(Run) },
  /** One run with its whole history: every step's losses and every evaluation. */
  'runs.get': {
    params: z.strictObject({ runId: Id }),
    result: z.object({ run: Run, steps: z.array(RunStep), evals: z.array(RunEval) }),
  },
  /**
   * The finished runs (and the cancelled ones with a checkpoint), newest first, side by side: preset, data, budget,
   * scores, size and cost, and each one's latency on `device` (default this computer) from the deployments stored.
   * `devices`: this computer first, then every device with a deployment (and the one asked for), with how many of the
   * runs were measured there.
   */
  'runs.compare': {
    params: z.strictObject({ device: DeviceName.optional() }),
    result: z.object({
      device: z.object({ name: z.string(), kind: z.enum(['ssh', 'local']) }),
      devices: z.array(z.object({ name: z.string(), kind: z.enum(['ssh', 'local']), measuredRuns: z.number().int() })),
      rows: z.array(CompareRow),
    }),
  },
  /**
   * Export a run's checkpoint (the best, or an epoch's) into the project's exports/ folder as ONNX and TF.js, with
   * detector.json beside them, and int8 with its accuracy cost when asked; a job, one at a time like predicting.
   */
  'export.start': { params: ExportSettings, result: z.object({ jobId: z.string() }) },
  /**
   * Evaluate a run's checkpoint (its best, or `epoch`'s) on a split (val unless `split: 'test'` is given) as a job:
   * every photo inferred once, its detections kept in the store. An evaluation already done for that checkpoint and
   * split is answered at once (`jobId` null) unless `again`; one still running is answered with its job.
   */
  'evaluations.start': {
    params: z.strictObject({ ...EvalCheckpoint, again: z.boolean().default(false) }),
    result: z.object({ jobId: z.string().nullable(), evaluationId: Id }),
  },
  /**
   * The report of a checkpoint's evaluation on a split at an IoU, matched against the split's labels as they are now;
   * null when that checkpoint and split were never evaluated (or it has not finished). `threshold`: where the sizes,
   * confusion and `at` are counted (default the best-F1 one).
   */
  'evaluations.get': {
    params: z.strictObject({ ...EvalCheckpoint, iou: EvalIou.default(0.5), threshold: Threshold.optional() }),
    result: EvaluationReport.nullable(),
  },
  /** A run's evaluations (every checkpoint and split), newest first. */
  'evaluations.list': { params: z.strictObject({ runId: Id }), result: z.array(Evaluation) },
  /**
   * A page of an evaluation's mistakes at a threshold and IoU ('coco': at 0.5). False alarms highest score first
   * (the most confident mistakes); misses largest labelled box first (a big face missed is the worst miss; equal sizes
   * in photo order). Computed on the labels as they are now: a box fixed in Review leaves the list at once.
   */
  'evaluations.errors': {
    params: z.strictObject({
      evaluationId: Id,
      iou: EvalIou.default(0.5),
      threshold: Threshold,
      kind: EvalErrorKind,
      /** Only this class (1-based, the run's class order). */
      classIndex: z.number().int().min(1).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    result: z.object({ total: z.number().int(), offset: z.number().int(), items: z.array(EvalError) }),
  },
  /** "Use for deploy": store the run's score threshold (null: back to the preset's); predict, export and deploy use it. */
  'runs.setThreshold': { params: z.strictObject({ runId: Id, threshold: Threshold.nullable() }), result: Run },
  /** The project's exported models (a run's, or all), newest first. */
  'export.list': { params: z.strictObject({ runId: Id.optional() }), result: z.array(ModelExport) },
} as const

export type Method = keyof typeof requests
export type Params<M extends Method> = z.input<(typeof requests)[M]['params']>
export type ParsedParams<M extends Method> = z.output<(typeof requests)[M]['params']>
export type Result<M extends Method> = z.output<(typeof requests)[M]['result']>

// ---- events --------------------------------------------------------------------------------------------------------

export const events = {
  'job.progress': JobProgress,
  /** The open project changed (opened, or images added): counts for the header, and a hint to refetch lists. */
  'project.changed': ProjectInfo,
  /**
   * Another process (a `kindling` command in a terminal, a second studio) changed the open project: sent after the
   * `project.changed` with its counts. Pages refetch what they show; nothing says what changed.
   */
  'project.external-change': z.object({ dir: z.string() }),
  /** One benchmark sample from a running deployment, as it arrives from the device. */
  'deploy.sample': LatencySample.extend({ deploymentId: Id, device: z.string() }),
  /** A deployment moved on (phase, upload progress in `detail`) or ended (state done, cancelled or failed). */
  'deploy.changed': Deployment.extend({ phase: DeployPhase, detail: z.string().optional() }),
  /** A training run's step (losses), as it happens. */
  'run.step': RunStep.extend({ runId: Id }),
  /** A training run's evaluation on val, with the checkpoint it scored. */
  'run.eval': RunEval.extend({ runId: Id }),
  /** A run started, moved on an epoch, or ended (done, cancelled or failed). */
  'run.changed': Run,
  /** An evaluation started, moved on, or ended (done, cancelled or failed): the Evaluate page fetches its report then. */
  'evaluation.changed': Evaluation,
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>
export type StudioEvent = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName]

// ---- wire format ---------------------------------------------------------------------------------------------------

export const RequestMessage = z.strictObject({
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown().optional(),
})
export type RequestMessage = z.infer<typeof RequestMessage>

export const ApiError = z.object({
  message: z.string(),
  /** The offending field as a dotted path (`params.dir`), when the error is about one. */
  field: z.string().optional(),
  code: z.enum(['invalid', 'not_found', 'conflict', 'failed']),
})
export type ApiError = z.infer<typeof ApiError>

export type ResponseMessage = { id: number; ok: true; result: unknown } | { id: number | null; ok: false; error: ApiError }

/** What the renderer sees, whatever the transport: `window.studio` in Electron, a WebSocket client in serve mode. */
export interface StudioApi {
  request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  on(listener: (event: StudioEvent) => void): () => void
  /** URL of an image's thumbnail (a custom protocol in Electron, an HTTP path in serve mode). */
  thumbnailUrl(image: Pick<ImageSummary, 'id' | 'sha256'>): string
  /**
   * URL of the full photo as stored (the browser applies its EXIF orientation). Optional until every transport serves
   * photos: the Review page says so when it is missing.
   */
  photoUrl?: (image: Pick<ImageSummary, 'id' | 'sha256'>) => string
  /** A native folder picker where there is one (Electron); serve mode has none and the UI asks for a typed path. */
  pickFolder?: () => Promise<string | null>
}

/** Error thrown to API callers; carries the field that was wrong, if any. */
export class StudioError extends Error {
  constructor(
    message: string,
    readonly code: ApiError['code'] = 'failed',
    readonly field?: string,
  ) {
    super(message)
    this.name = 'StudioError'
  }
}

/** Turn a zod failure into one readable sentence that names the first bad field. */
export function describeZodError(error: z.ZodError, prefix: string): { message: string; field: string } {
  const issue = error.issues[0]
  // An unexpected key is reported on its parent; name the key itself, which is what the sender has to fix.
  const extra = issue.code === 'unrecognized_keys' ? [issue.keys[0]] : []
  const field = [prefix, ...issue.path.map(String), ...extra].filter(Boolean).join('.')
  return { message: `${field}: ${issue.message}`, field }
}
