// One detector, trainable: a batch of images and their boxes → matcher targets → SSD loss → one optimizer step, and
// images → detections. The training loop of the Train page (jobs, checkpoints, curves) is built on this.
import * as tf from '@tensorflow/tfjs-core'
import type { Corners } from '../../shared/boxes.js'
import { freezeLayers } from '../engine/freeze.js'
import { anchorsFor } from './anchors.js'
import { type Detection, DetectionDecoder } from './decode.js'
import { assertFinite, detectionLoss } from './loss.js'
import { AnchorMatcher, padGroundTruth } from './matcher.js'
import type { Detector } from './model.js'

/** Ground truth for one image: normalised corner boxes and their 1-based classes. */
export interface ImageLabels {
  boxes: Corners[]
  labels: number[]
}

export interface StepResult {
  loss: number
  classification: number
  box: number
  positives: number
}

export class DetectorTrainer {
  readonly matcher: AnchorMatcher
  readonly decoder: DetectionDecoder
  private steps = 0
  /** The variables a step updates: all trainable ones, unless layers are frozen (freeze). */
  private learning: tf.Variable[] | undefined

  constructor(
    readonly detector: Detector,
    readonly optimizer: tf.Optimizer,
  ) {
    const { config } = detector
    const anchors = anchorsFor(config)
    this.matcher = new AnchorMatcher(anchors, { ...config.matcher, variances: config.boxCoder.variances })
    this.decoder = new DetectionDecoder(config, anchors.boxes)
  }

  /**
   * Freeze these layers from the next step on (no gradient, no update, batch norms in inference mode) and unfreeze the
   * others; an empty list unfreezes all.
   */
  freeze(layers: readonly string[]): void {
    const learning = freezeLayers(this.detector.model, layers)
    this.learning = layers.length === 0 ? undefined : learning
  }

  /**
   * One optimisation step on a batch — its images, or for a head alone (buildHead) its inputs — and throws
   * NonFiniteLossError (leaving the weights alone) on a NaN loss.
   */
  step(images: tf.Tensor4D | tf.Tensor[], labels: ImageLabels[]): StepResult {
    this.steps++
    const truth = padGroundTruth(labels)
    const targets = this.matcher.match(truth)
    try {
      const { model, config } = this.detector
      let parts: { classification: tf.Scalar; box: tf.Scalar; positives: tf.Scalar } | undefined
      // Gradients are computed first and applied only when the loss is finite, so one bad batch cannot poison the
      // weights before training stops.
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
      const { value, grads } = tf.variableGrads(() => {
        const [classLogits, boxOffsets] = model.apply(images, { training: true }) as [tf.Tensor3D, tf.Tensor3D]
        const result = detectionLoss(config.loss, { classLogits, boxOffsets }, targets)
        parts = { classification: tf.keep(result.classification), box: tf.keep(result.box), positives: tf.keep(result.positives) }
        return result.total
      }, this.learning ?? variables)
      const numbers = {
        loss: value.dataSync()[0],
        classification: parts!.classification.dataSync()[0],
        box: parts!.box.dataSync()[0],
        positives: parts!.positives.dataSync()[0],
      }
      tf.dispose([value, parts!.classification, parts!.box, parts!.positives])
      try {
        assertFinite(this.steps, numbers)
        // Every variable, in one order, a frozen one without a gradient: TF.js's Adam keeps its moments by position in
        // this list, so a list that shrank while layers were frozen would pair moments with the wrong variables.
        this.optimizer.applyGradients(Object.fromEntries(variables.map((v) => [v.name, grads[v.name]])) as tf.NamedTensorMap)
      } finally {
        tf.dispose(Object.values(grads))
      }
      return numbers
    } finally {
      tf.dispose([truth.boxes, truth.labels, truth.valid!, targets.matches, targets.labels, targets.offsets])
    }
  }

  async predict(
    images: tf.Tensor4D,
    network: (images: tf.Tensor4D) => Promise<[tf.Tensor3D, tf.Tensor3D]> = async (x) =>
      this.detector.model.predict(x) as [tf.Tensor3D, tf.Tensor3D],
  ): Promise<Detection[][]> {
    const [classLogits, boxOffsets] = await network(images)
    try {
      return await this.decoder.decode(classLogits, boxOffsets)
    } finally {
      tf.dispose([classLogits, boxOffsets])
    }
  }

  dispose(): void {
    this.matcher.dispose()
    this.decoder.dispose()
  }
}
