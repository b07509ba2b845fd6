// int8 for a project: calibration inputs from its own photos, and what int8 costs on its val split, measured before a
// model is deployed — the same val photos, decoder and scoring as a run's evaluations, once with the float model and
// once with the int8 one, both run by ONNX Runtime.
import * as tf from '@tensorflow/tfjs-core'
import type { TrainSettings } from '../../shared/api.js'
import { anchorsFor, DetectionDecoder, type Detection, type DetectorConfig } from '../detector/index.js'
import { engineInfo, initEngine } from '../engine/index.js'
import type { Store } from '../store/index.js'
import { batches, batchPixels, IDENTITY_PLAN, loadDataset, loadSample, scoreDetections, type Score, type TrainImage } from '../train/index.js'
import { quantizeOnnx, type ActivationType } from './quantize.js'
import { OnnxDetector } from './session.js'

/** How many photos calibrate the activation ranges by default. */
export const CALIBRATION_PHOTOS = 300

/**
 * Up to `n` of the project's train-split photos as model inputs ([H, W, 3] float 0–255, stretched to the model's
 * input exactly as the predictor does, a detector's or a whole-image classifier's), chosen deterministically: spread evenly over the photos in sha256 order, so the
 * same photos calibrate on every machine whatever order they were imported in. Unreadable photos are left out.
 */
export async function calibrationInputs(store: Store, config: Pick<DetectorConfig, 'input'>, n = CALIBRATION_PHOTOS): Promise<Float32Array[]> {
  const train = store.images
    .withLabels()
    .filter((p) => p.split === 'train')
    .sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0))
  if (train.length === 0) throw new Error('int8 calibration needs photos in the train split; the project has none')
  const count = Math.min(n, train.length)
  const chosen = Array.from({ length: count }, (_, i) => train[Math.floor((i * train.length) / count)])
  const out: Float32Array[] = []
  // A few at a time: sharp decodes on libuv's threads.
  for (let i = 0; i < chosen.length; i += 8) {
    const loaded = await Promise.all(
      chosen.slice(i, i + 8).map((p) =>
        loadSample({ ...p, boxes: [], labels: [] }, config.input, IDENTITY_PLAN).then(
          (s) => s.pixels,
          () => null,
        ),
      ),
    )
    for (const pixels of loaded) if (pixels) out.push(pixels)
  }
  if (out.length === 0) throw new Error('int8 calibration could not read any of the train photos')
  return out
}

export interface ProjectQuantizeOptions {
  /** Calibration photos (default CALIBRATION_PHOTOS). */
  calibrationPhotos?: number
  activations?: ActivationType
  threads?: number
}

/** The float ONNX model quantized to int8 (QDQ), calibrated on the project's own train photos. */
export async function quantizeForProject(
  store: Store,
  fp32: Uint8Array,
  config: Pick<DetectorConfig, 'input'>,
  options: ProjectQuantizeOptions = {},
): Promise<{ int8: Uint8Array; calibrationPhotos: number }> {
  const inputs = await calibrationInputs(store, config, options.calibrationPhotos ?? CALIBRATION_PHOTOS)
  const int8 = await quantizeOnnx(fp32, inputs, { activations: options.activations, threads: options.threads })
  return { int8, calibrationPhotos: inputs.length }
}

/** Detections per image of an ONNX detector over `images`, decoded by the studio's decoder with `config`'s settings. */
export async function detectWithOnnx(
  detector: OnnxDetector,
  config: DetectorConfig,
  images: readonly TrainImage[],
  batchSize = 8,
): Promise<Map<number, Detection[]>> {
  if (!engineInfo()) await initEngine()
  const decoder = new DetectionDecoder(config, anchorsFor(config).boxes)
  const detected = new Map<number, Detection[]>()
  try {
    // An unreadable photo is left out, as the run's evaluations leave it out.
    for await (const batch of batches(
      images,
      batchSize,
      config.input,
      () => IDENTITY_PLAN,
      () => {},
    )) {
      const { samples } = batch
      if (samples.length === 0) continue
      const { data: pixels } = batchPixels(batch, config.input)
      const raw = await detector.run(pixels, samples.length)
      const [classLogits, boxOffsets] = [tf.tensor3d(raw.classLogits, raw.classShape), tf.tensor3d(raw.boxOffsets, raw.boxShape)]
      try {
        const found = await decoder.decode(classLogits, boxOffsets)
        samples.forEach((s, k) => detected.set(s.image.id, found[k]))
      } finally {
        tf.dispose([classLogits, boxOffsets])
      }
    }
  } finally {
    decoder.dispose()
  }
  return detected
}

/** The score of an ONNX detector on `images` (AP50, COCO AP, recall at IoU 0.5), as a run's evaluation scores. */
export async function scoreOnnx(detector: OnnxDetector, config: DetectorConfig, images: readonly TrainImage[], batchSize = 8): Promise<Score> {
  const detected = await detectWithOnnx(detector, config, images, batchSize)
  return scoreDetections(
    config.classes,
    images.filter((im) => detected.has(im.id)),
    detected,
  )
}

/**
 * The project's val photos with their labels in the model's class order, as the run evaluated on them: boxes become the
 * run's classes by name and by its class map (a fine-tune's smiling face is a face box with `smiling` true), and boxes
 * of classes the model does not know are left out.
 */
export function valImages(
  store: Store,
  config: Pick<DetectorConfig, 'classes'>,
  labels: TrainSettings['labels'] = 'all',
  classMap: TrainSettings['classMap'] = {},
): TrainImage[] {
  const known = new Set(store.classes().map((c) => c.name))
  // A model class the project no longer has (renamed since) has no val boxes: leave it out rather than refuse.
  const classes = config.classes.filter((name) => known.has(name) || classMap[name] !== undefined)
  const dataset = loadDataset(store, labels, { classes, classMap })
  const toModel = classes.map((name) => config.classes.indexOf(name) + 1)
  return dataset.val.map((im) => ({ ...im, labels: im.labels.map((l) => toModel[l - 1]) }))
}

export interface Int8AccuracyCost {
  fp32: Score
  int8: Score
  fp32Ap50: number
  int8Ap50: number
  /** fp32Ap50 − int8Ap50: what int8 costs (negative when int8 happens to score higher). */
  ap50Drop: number
  /** Val photos scored (readable ones). */
  valPhotos: number
}

export interface Int8AccuracyOptions {
  /** Which labels count (as in TrainSettings.labels). Default 'all'. */
  labels?: TrainSettings['labels']
  /** The run's class map (TrainSettings.classMap): how its classes are made from the project's boxes. */
  classMap?: TrainSettings['classMap']
  threads?: number
  batchSize?: number
}

/**
 * What int8 costs on the project's val split: the float and the int8 ONNX model (both from the same checkpoint, with
 * `config` its detector config) scored on the same val photos with the same decoder.
 */
export async function int8AccuracyCost(
  store: Store,
  models: { fp32: Uint8Array; int8: Uint8Array },
  config: DetectorConfig,
  options: Int8AccuracyOptions = {},
): Promise<Int8AccuracyCost> {
  const images = valImages(store, config, options.labels, options.classMap)
  const score = async (bytes: Uint8Array) => {
    const detector = await OnnxDetector.load(bytes, { threads: options.threads })
    try {
      const detected = await detectWithOnnx(detector, config, images, options.batchSize)
      return {
        detected,
        score: scoreDetections(
          config.classes,
          images.filter((im) => detected.has(im.id)),
          detected,
        ),
      }
    } finally {
      await detector.release()
    }
  }
  const fp32 = await score(models.fp32)
  const int8 = await score(models.int8)
  return {
    fp32: fp32.score,
    int8: int8.score,
    fp32Ap50: fp32.score.ap50,
    int8Ap50: int8.score.ap50,
    ap50Drop: fp32.score.ap50 - int8.score.ap50,
    valPhotos: fp32.detected.size,
  }
}
