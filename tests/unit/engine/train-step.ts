// One SSD-style training step (softmax cross-entropy on anchor classes + Huber on box offsets, against random
// targets), used by the backbone tests and the benchmark. Returns the loss as a number.
import * as tf from '@tensorflow/tfjs-core'
import type { LayersModel } from '@tensorflow/tfjs-layers'

export interface SsdBatch {
  images: tf.Tensor4D
  classes: tf.Tensor3D
  boxes: tf.Tensor3D
}

export function randomSsdBatch(model: LayersModel, batch: number, seed = 1): SsdBatch {
  return tf.tidy(() => {
    const [h, w, c] = model.inputs[0].shape.slice(1) as number[]
    // Reshape layers with -1 leave the anchor count symbolic: ask the model for its output shapes.
    const [clsShape, boxShape] = (model.predict(tf.zeros([1, h, w, c])) as tf.Tensor[]).map((o) => o.shape)
    const anchors = clsShape[1] as number
    const classes = clsShape[2] as number
    const labels = tf.randomUniform([batch, anchors], 0, classes, 'int32', seed)
    return {
      images: tf.randomUniform([batch, h, w, c], 0, 1, 'float32', seed) as tf.Tensor4D,
      classes: tf.oneHot(labels, classes, 1, 0, 'float32') as tf.Tensor3D,
      boxes: tf.randomNormal([batch, anchors, boxShape[2] as number], 0, 1, 'float32', seed) as tf.Tensor3D,
    }
  })
}

export function ssdLoss(model: LayersModel, b: SsdBatch): tf.Scalar {
  const [logits, offsets] = model.apply(b.images, { training: true }) as tf.Tensor[]
  const cls = tf.losses.softmaxCrossEntropy(b.classes, logits)
  const box = tf.losses.huberLoss(b.boxes, offsets)
  return tf.add(cls, box) as tf.Scalar
}

export function ssdStep(model: LayersModel, optimizer: tf.Optimizer, b: SsdBatch): number {
  const loss = optimizer.minimize(() => ssdLoss(model, b), true) as tf.Scalar
  const value = loss.dataSync()[0]
  loss.dispose()
  return value
}

export function disposeBatch(b: SsdBatch): void {
  tf.dispose([b.images, b.classes, b.boxes])
}
