// One detector, trainable: a batch of images and their boxes → matcher targets → SSD loss → one optimizer step, and
// images → detections. The training loop of the Train page (jobs, checkpoints, curves) is built on this.
import * as tf from '@tensorflow/tfjs-core'
import type { Corners } from '../../shared/boxes.js'
import { anchorsFor } from './anchors.js'
import { type Detection, DetectionDecoder } from './decode.js'
import { assertFinite, detectionLoss } from './loss.js'
import { AnchorMatcher } from './matcher.js'
import type { Detector } from './model.js'

/** Ground truth for one image: normalised corner boxes and their 1-based classes. */
export interface ImageLabels {
  boxes: Corners[]
  classes: number[]
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

  constructor(
    readonly detector: Detector,
    readonly optimizer: tf.Optimizer,
  ) {
    const { config } = detector
    const anchors = anchorsFor(config)
    this.matcher = new AnchorMatcher(anchors, { ...config.matcher, variances: config.boxCoder.variances })
    this.decoder = new DetectionDecoder(config, anchors.boxes)
  }

  /** One optimisation step on a batch; throws NonFiniteLossError (and leaves the weights alone) on a NaN loss. */
  step(images: tf.Tensor4D, labels: ImageLabels[]): StepResult {
    this.steps++
    const truth = groundTruth(labels)
    const targets = this.matcher.match(truth)
    try {
      const { model, config } = this.detector
      let parts: { classification: tf.Scalar; box: tf.Scalar; positives: tf.Scalar } | undefined
      // Gradients are computed first and applied only when the loss is finite, so one bad batch cannot poison the
      // weights before training stops.
      const { value, grads } = tf.variableGrads(() => {
        const [classLogits, boxOffsets] = model.apply(images, { training: true }) as [tf.Tensor3D, tf.Tensor3D]
        const result = detectionLoss(config.loss, { classLogits, boxOffsets }, targets)
        parts = { classification: tf.keep(result.classification), box: tf.keep(result.box), positives: tf.keep(result.positives) }
        return result.total
      })
      const numbers = {
        loss: value.dataSync()[0],
        classification: parts!.classification.dataSync()[0],
        box: parts!.box.dataSync()[0],
        positives: parts!.positives.dataSync()[0],
      }
      tf.dispose([value, parts!.classification, parts!.box, parts!.positives])
      try {
        assertFinite(this.steps, numbers)
        this.optimizer.applyGradients(grads)
      } finally {
        tf.dispose(Object.values(grads))
      }
      return numbers
    } finally {
      tf.dispose([truth.boxes, truth.labels, truth.valid!, targets.matches, targets.labels, targets.offsets])
    }
  }

  async predict(images: tf.Tensor4D): Promise<Detection[][]> {
    const [classLogits, boxOffsets] = this.detector.model.predict(images) as [tf.Tensor3D, tf.Tensor3D]
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

/** Pad a batch's boxes to the largest count in it (at least 1), with a validity mask for the padding. */
export function groundTruth(labels: ImageLabels[]) {
  const M = Math.max(1, ...labels.map((l) => l.boxes.length))
  const boxes = new Float32Array(labels.length * M * 4)
  const classes = new Int32Array(labels.length * M)
  const valid = new Int32Array(labels.length * M)
  labels.forEach((image, b) => {
    image.boxes.forEach((box, m) => {
      boxes.set(box, (b * M + m) * 4)
      classes[b * M + m] = image.classes[m]
      valid[b * M + m] = 1
    })
  })
  return {
    boxes: tf.tensor3d(boxes, [labels.length, M, 4]),
    labels: tf.tensor2d(classes, [labels.length, M], 'int32'),
    valid: tf.tensor2d(valid, [labels.length, M], 'int32'),
  }
}
