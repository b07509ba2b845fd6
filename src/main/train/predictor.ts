// Running a trained checkpoint over photos, as the predict worker thread does it: build the run's detector, put the
// checkpoint's weights in, then decode batches (the training pipeline's decoding, without augmentation) and report each
// batch's detections in photo pixels — or, for a classifier's checkpoint, each photo's class probabilities. Nothing here
// touches the store: the main thread writes what comes back.
// The network runs on ONNX Runtime where it loads (inference.ts): a prediction job runs alone, so it has every core.
import * as tf from '@tensorflow/tfjs-core'
import { buildClassifier, type ClassifierConfig, isClassifierConfig, predictClasses } from '../classifier/index.js'
import { anchorsFor, buildDetector, DetectionDecoder, DetectorConfig } from '../detector/index.js'
import { loadCheckpointWeights } from './checkpoint.js'
import { batches, type SkippedPhoto } from './pipeline.js'
import { batchTensor } from './score.js'
import { IDENTITY_PLAN } from './augment.js'
import { inferenceNetwork, type Network } from './inference.js'

export interface PredictPhoto {
  id: number
  path: string
  /** Size after EXIF orientation: the frame the store's boxes are in. */
  width: number
  height: number
}

export interface PredictorInit {
  checkpoint: string
  config: DetectorConfig | ClassifierConfig
  photos: PredictPhoto[]
  batchSize: number
  minScore: number
  /** Which runtime runs the network; default ONNX Runtime where it loads. */
  runtime?: 'onnx' | 'tfjs'
}

/** One detection in photo pixels; `classIndex` is 1-based in the checkpoint's class order. */
export interface PixelDetection {
  classIndex: number
  x: number
  y: number
  w: number
  h: number
  score: number
}

export type PredictorMessage =
  /** A classifier's photos have no detections and their class probabilities, in its classes' order. */
  | { type: 'batch'; photos: { imageId: number; detections: PixelDetection[]; probabilities?: number[] }[] }
  | { type: 'skip'; skipped: SkippedPhoto }

/**
 * The model saw the photo stretched to its input size, so its normalised corners scale back by the photo's own width
 * and height (each axis on its own). Clipped to the photo; a box with less than a pixel left is dropped.
 */
export function toPixels(box: readonly [number, number, number, number], width: number, height: number) {
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v))
  const x1 = clip(box[0] * width, width)
  const y1 = clip(box[1] * height, height)
  const x2 = clip(box[2] * width, width)
  const y2 = clip(box[3] * height, height)
  return x2 - x1 >= 1 && y2 - y1 >= 1 ? { x: x1, y: y1, w: x2 - x1, h: y2 - y1 } : null
}

/** A classifier's checkpoint over the photos: their class probabilities, batch by batch (TF.js: see classifier-learner.ts). */
async function runClassifier(init: PredictorInit & { config: ClassifierConfig }, post: (m: PredictorMessage) => void, signal: AbortSignal) {
  const { config } = init
  const { model } = buildClassifier(config)
  try {
    await loadCheckpointWeights(model, init.checkpoint)
    const images = init.photos.map((p) => ({ ...p, sha256: '', boxes: [], labels: [] }))
    for await (const { samples } of batches(
      images,
      init.batchSize,
      config.input,
      () => IDENTITY_PLAN,
      (skipped) => post({ type: 'skip', skipped }),
    )) {
      if (signal.aborted) break
      if (samples.length === 0) continue
      const input = batchTensor({ samples }, config.input)
      let probabilities
      try {
        probabilities = await predictClasses(model, input)
      } finally {
        input.dispose()
      }
      post({ type: 'batch', photos: samples.map((s, i) => ({ imageId: s.image.id, detections: [], probabilities: probabilities[i] })) })
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    model.dispose()
  }
}

/** Predict every photo, batch by batch, until done or `signal` aborts (the batch under way finishes and is reported). */
export async function runPredictor(init: PredictorInit, post: (m: PredictorMessage) => void, signal: AbortSignal): Promise<void> {
  if (isClassifierConfig(init.config)) return runClassifier({ ...init, config: init.config }, post, signal)
  // Decode down to the job's minimum: the preset's own threshold (0.3 by default) would hide lower requests.
  const config = DetectorConfig.parse({ ...init.config, decoding: { ...init.config.decoding, scoreThreshold: init.minScore } })
  const detector = buildDetector(config)
  const decoder = new DetectionDecoder(config, anchorsFor(config).boxes)
  let net: Network | null = null
  try {
    await loadCheckpointWeights(detector.model, init.checkpoint)
    net = await inferenceNetwork(detector.model, init.runtime)
    const images = init.photos.map((p) => ({ ...p, sha256: '', boxes: [], labels: [] }))
    const source = batches(
      images,
      init.batchSize,
      config.input,
      () => IDENTITY_PLAN,
      (skipped) => post({ type: 'skip', skipped }),
    )
    for await (const { samples } of source) {
      if (signal.aborted) break
      if (samples.length === 0) continue
      const input = batchTensor({ samples }, config.input)
      let found
      try {
        const [classLogits, boxOffsets] = await net.predict(input)
        try {
          found = await decoder.decode(classLogits, boxOffsets)
        } finally {
          tf.dispose([classLogits, boxOffsets])
        }
      } finally {
        input.dispose()
      }
      post({
        type: 'batch',
        photos: samples.map((s, i) => ({
          imageId: s.image.id,
          detections: found[i].flatMap((d) => {
            if (d.score < init.minScore) return []
            const px = toPixels(d.box, s.image.width, s.image.height)
            return px ? [{ classIndex: d.classIndex, score: d.score, ...px }] : []
          }),
        })),
      })
      // Let a cancel message in between batches.
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    await net?.release()
    decoder.dispose()
    detector.model.dispose()
  }
}
