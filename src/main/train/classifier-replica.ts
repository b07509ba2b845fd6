// What each data-parallel replica of a classifier run (classifier-learner.ts) builds in its worker thread: the
// classifier's model and the loss of its shard. Like detector-replica.ts, imported by URL (an entry of its own in the
// build: electron.vite.config.ts), so it holds nothing but these two functions' dependencies.
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { ClassifierConfig } from '../classifier/config.js'
import { buildClassifier } from '../classifier/model.js'
import { classificationLoss } from '../classifier/training.js'

/** The classifier's model; its initial weights do not matter (the trainer sets every replica's). */
export function replicaModel(config: ClassifierConfig): tfl.LayersModel {
  return buildClassifier(config).model
}

/**
 * The shard's mean softmax cross-entropy (`x` images, `y` 0-based classes as int32): a mean over the shard's photos,
 * so the engine's default reduction — shard losses and gradients averaged by shard size — gives the whole batch's.
 */
export function replicaLoss(model: tfl.LayersModel, batch: Record<string, tf.Tensor>) {
  const logits = model.apply(batch.x, { training: true }) as tf.Tensor2D
  const loss = classificationLoss(logits, batch.y as tf.Tensor1D)
  return { loss, metrics: { classification: loss } }
}
