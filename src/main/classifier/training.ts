// One classifier, trainable: a batch of images and their classes → softmax cross-entropy → one optimizer step, and
// images → class probabilities. The same step contract as the detector's (StepResult, a NaN loss refused before any
// update, layers frozen the same way), so the training loop, checkpoints and curves are the detector's.
import * as tf from '@tensorflow/tfjs-core'
import { assertFinite, type StepResult } from '../detector/index.js'
import { freezeLayers } from '../engine/freeze.js'
import type { Classifier } from './model.js'

/** Mean softmax cross-entropy of logits [b, C] against 0-based classes, over `batch` images (default: these). */
export function classificationLoss(logits: tf.Tensor2D, classes: tf.Tensor1D, batch = logits.shape[0]): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(classes, logits.shape[1])
    // logSoftmax, not log(softmax): stable for confident logits.
    const perImage = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))
    return tf.div(tf.sum(perImage), batch) as tf.Scalar
  })
}

export class ClassifierTrainer {
  private steps = 0
  private learning: tf.Variable[] | undefined

  constructor(
    readonly classifier: Classifier,
    readonly optimizer: tf.Optimizer,
  ) {}

  /** Freeze these layers from the next step on (see DetectorTrainer.freeze); an empty list unfreezes all. */
  freeze(layers: readonly string[]): void {
    const learning = freezeLayers(this.classifier.model, layers)
    this.learning = layers.length === 0 ? undefined : learning
  }

  /** One step on a batch of images and their 0-based classes; throws NonFiniteLossError (no update) on a NaN loss. */
  step(images: tf.Tensor4D, classes: readonly number[]): StepResult {
    this.steps++
    const { model } = this.classifier
    const truth = tf.tensor1d(Int32Array.from(classes), 'int32')
    try {
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(images, { training: true }) as tf.Tensor2D
        return classificationLoss(logits, truth)
      }, this.learning ?? variables)
      const loss = value.dataSync()[0]
      value.dispose()
      try {
        assertFinite(this.steps, { classification: loss, box: 0 })
        // Every variable in one order, a frozen one without a gradient (Adam pairs its moments by position).
        this.optimizer.applyGradients(Object.fromEntries(variables.map((v) => [v.name, grads[v.name]])) as tf.NamedTensorMap)
      } finally {
        tf.dispose(Object.values(grads))
      }
      return { loss, classification: loss, box: 0, positives: classes.length }
    } finally {
      truth.dispose()
    }
  }

  /** Class probabilities per image, [b][C]. */
  async predict(images: tf.Tensor4D): Promise<number[][]> {
    return predictClasses(this.classifier.model, images)
  }
}

/** A classifier model's class probabilities per image, [b][C]. */
export async function predictClasses(model: { predict(x: tf.Tensor4D): tf.Tensor | tf.Tensor[] }, images: tf.Tensor4D): Promise<number[][]> {
  const probabilities = tf.tidy(() => tf.softmax(model.predict(images) as tf.Tensor2D))
  try {
    return (await probabilities.array()) as number[][]
  } finally {
    probabilities.dispose()
  }
}

/** The most probable class (the first on a tie). */
export const argmax = (p: readonly number[]) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0)
