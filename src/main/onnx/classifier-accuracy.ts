// What int8 costs a whole-image classifier, measured before it is deployed: the float and the int8 ONNX model (both
// ending in the export's softmax) run by ONNX Runtime over the run's val photos — those with its tag, in its own
// classes' order, as its evaluations scored them — and each photo called by its most probable class. The cost is the
// accuracy lost. Calibration is a detector's (accuracy.ts: the project's train photos, stretched to the input size,
// which is how a classifier sees a photo too).
import os from 'node:os'
import * as ort from 'onnxruntime-node'
import type { ClassifierScore, TrainSettings } from '../../shared/api.js'
import { argmax, scoreClassifications, type ClassifierConfig } from '../classifier/index.js'
import type { Store } from '../store/index.js'
import { batches, batchPixels, DatasetError, IDENTITY_PLAN, loadTagDataset, type TrainImage } from '../train/index.js'

/** The run's val photos with their class (classIndex: 1 the tag set, 0 not), as its evaluations took them. */
export function classifierValImages(store: Store, tag: string, labels: TrainSettings['labels'] = 'all'): TrainImage[] {
  try {
    return loadTagDataset(store, tag, labels).val
  } catch (error) {
    // The project's tags changed since the run: say what int8 needed them for.
    if (error instanceof DatasetError) {
      throw new Error(`int8 is scored on the val photos tagged ${tag}, as the run was evaluated, but they cannot be loaded: ${error.message}`, {
        cause: error,
      })
    }
    throw error
  }
}

/** Each readable image's class probabilities from an ONNX classifier (input `image`, one output), by image id. */
export async function classifyWithOnnx(
  bytes: Uint8Array,
  config: Pick<ClassifierConfig, 'input' | 'classes'>,
  images: readonly TrainImage[],
  options: { threads?: number; batchSize?: number } = {},
): Promise<Map<number, number[]>> {
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  })
  const { height, width } = config.input
  const batchSize = options.batchSize ?? 8
  const classes = config.classes.length
  const out = new Map<number, number[]>()
  try {
    const [input] = session.inputNames
    const [output] = session.outputNames
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
      const result = await session.run({ [input]: new ort.Tensor('float32', pixels, [samples.length, height, width, 3]) })
      const values = result[output].data as Float32Array
      if (values.length !== samples.length * classes) {
        throw new Error(`the model answers ${values.length / samples.length} values per photo, not one per class (${classes})`)
      }
      samples.forEach((s, k) => out.set(s.image.id, Array.from(values.subarray(k * classes, (k + 1) * classes))))
      result[output].dispose()
    }
  } finally {
    await session.release()
  }
  return out
}

export interface ClassifierInt8Cost {
  fp32: ClassifierScore
  int8: ClassifierScore
  fp32Accuracy: number
  int8Accuracy: number
  /** fp32Accuracy − int8Accuracy (negative when int8 happens to score higher). */
  accuracyDrop: number
  /** Val photos scored (readable ones). */
  valPhotos: number
}

/**
 * What int8 costs a classifier on the project's val split: both models, from the same checkpoint (`config` its
 * classifier config), scored on the same val photos of the run's `tag`.
 */
export async function classifierInt8Cost(
  store: Store,
  models: { fp32: Uint8Array; int8: Uint8Array },
  config: ClassifierConfig,
  run: { tag: string; labels?: TrainSettings['labels']; threads?: number; batchSize?: number },
): Promise<ClassifierInt8Cost> {
  const images = classifierValImages(store, run.tag, run.labels)
  const score = async (bytes: Uint8Array) => {
    const called = await classifyWithOnnx(bytes, config, images, run)
    const scored = images.filter((im) => called.has(im.id))
    return scoreClassifications(
      config.classes,
      scored.map((im) => im.classIndex ?? 0),
      scored.map((im) => argmax(called.get(im.id)!)),
    )
  }
  const fp32 = await score(models.fp32)
  const int8 = await score(models.int8)
  return {
    fp32,
    int8,
    fp32Accuracy: fp32.accuracy,
    int8Accuracy: int8.accuracy,
    accuracyDrop: fp32.accuracy - int8.accuracy,
    valPhotos: fp32.photos,
  }
}
