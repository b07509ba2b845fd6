// Scoring a checkpoint on the val photos: the model's decoded detections (the same decoder the device uses) against
// the photos' boxes, with the evaluation module's VOC AP50, COCO AP and recall at IoU 0.5.
import * as tf from '@tensorflow/tfjs-core'
import type { Detection as Detected } from '../detector/index.js'
import { evaluate, type Detection, type GroundTruthBox } from '../eval/index.js'
import type { TrainImage } from './dataset.js'
import type { Batch } from './pipeline.js'

export interface Score {
  ap50: number
  ap: number
  recall: number
}

/** Stack a batch's pixels into the model's input [b, height, width, 3]. */
export function batchTensor(batch: Batch, input: { width: number; height: number }): tf.Tensor4D {
  const { data, shape } = batchPixels(batch, input)
  return tf.tensor4d(data, shape as [number, number, number, number])
}

/** A batch's pixels as plain data, [B, height, width, 3] (for data-parallel replicas on other threads). */
export function batchPixels(batch: Batch, input: { width: number; height: number }): { data: Float32Array; shape: number[] } {
  const size = input.width * input.height * 3
  const data = new Float32Array(batch.samples.length * size)
  batch.samples.forEach((s, i) => data.set(s.pixels, i * size))
  return { data, shape: [batch.samples.length, input.height, input.width, 3] }
}

/**
 * Score detections per val photo. A class without labels on val counts for nothing (the evaluation averages over
 * classes that have some); with no labelled box at all (only true negatives) every score is 0.
 */
export function scoreDetections(classes: readonly string[], images: readonly TrainImage[], detected: ReadonlyMap<number, Detected[]>): Score {
  const groundTruth: GroundTruthBox[] = images.flatMap((im) => im.boxes.map((box, i) => ({ imageId: im.id, classId: im.labels[i], box })))
  const detections: Detection[] = images.flatMap((im) =>
    (detected.get(im.id) ?? []).map((d) => ({ imageId: im.id, classId: d.classIndex, box: d.box, score: d.score })),
  )
  const result = evaluate({ classes: classes.map((name, i) => ({ id: i + 1, name })), groundTruth, detections })
  return { ap50: result.ap50 ?? 0, ap: result.ap ?? 0, recall: result.recall ?? 0 }
}
