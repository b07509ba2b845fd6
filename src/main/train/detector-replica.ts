// What each data-parallel replica of a training run (parallel.ts) builds in its worker thread: the detector's model,
// and the loss of its shard of the batch. The engine's replica worker imports this module by URL (from the build it is
// an entry of its own: electron.vite.config.ts), so it holds nothing but these two functions' dependencies.
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { DetectorConfig, Loss } from '../detector/config.js'
import { detectionLoss } from '../detector/loss.js'
import { buildDetector, buildHead } from '../detector/model.js'

/** The detector's model; its initial weights do not matter (the trainer sets every replica's). */
export function replicaModel(config: DetectorConfig): tfl.LayersModel {
  return buildDetector(config).model
}

/**
 * The shard's share of the whole batch's SSD loss. The batch carries the images (`x`), the matcher's targets computed
 * on the coordinating thread (`labels` [b, A] int32, `offsets` [b, A, 4]) and, per image, the whole batch's positive
 * anchors (`positives`, the same number in every row): the loss divides by that, so the replicas' losses and gradients
 * add up (the engine's 'sum' reduction) to exactly those of one step on the whole batch.
 */
export function replicaLoss(model: tfl.LayersModel, batch: Record<string, tf.Tensor>, loss: Loss) {
  return shardLoss(model.apply(batch.x, { training: true }) as tf.Tensor[], batch, loss)
}

/** A fine-tune's head alone (buildHead), trained on a frozen extractor's kept maps: train/cached-head.ts. */
export function replicaHeadModel(config: DetectorConfig, keptBoxes: boolean): tfl.LayersModel {
  const detector = buildDetector(config)
  const head = buildHead(detector, { keptBoxes })
  detector.model.dispose()
  return head
}

/** replicaLoss for the head alone: the batch carries its inputs by name (`inputs`, in the head's order). */
export function replicaHeadLoss(model: tfl.LayersModel, batch: Record<string, tf.Tensor>, loss: Loss, inputs: string[]) {
  return shardLoss(
    model.apply(
      inputs.map((name) => batch[name]),
      { training: true },
    ) as tf.Tensor[],
    batch,
    loss,
  )
}

function shardLoss([classLogits, boxOffsets]: tf.Tensor[], batch: Record<string, tf.Tensor>, loss: Loss) {
  const positivesInBatch = batch.positives.dataSync()[0]
  const parts = detectionLoss(
    loss,
    { classLogits: classLogits as tf.Tensor3D, boxOffsets: boxOffsets as tf.Tensor3D },
    { labels: batch.labels as tf.Tensor2D, offsets: batch.offsets as tf.Tensor3D },
    positivesInBatch,
  )
  return { loss: parts.total, metrics: { classification: parts.classification, box: parts.box } }
}
