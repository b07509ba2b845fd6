// From the model's raw outputs to detections: class scores by softmax, boxes by the box coder, then per class a score
// threshold and non-maximum suppression, then the top k over all classes — all engine ops, so it runs wherever the
// model runs.
import * as tf from '@tensorflow/tfjs-core'
import type { Corners } from '../../shared/boxes.js'
import { BoxCoder } from './box-coder.js'
import type { DetectorConfig } from './config.js'

export interface Detection {
  /** Normalised corners, clipped to the image. */
  box: Corners
  score: number
  /** 1-based class index into config.classes (0 is background and never reported). */
  classIndex: number
}

export class DetectionDecoder {
  private readonly coder: BoxCoder
  private readonly anchors: tf.Tensor2D

  constructor(
    private readonly config: Pick<DetectorConfig, 'boxCoder' | 'decoding' | 'classes'>,
    anchors: Float32Array,
  ) {
    this.coder = new BoxCoder(config.boxCoder.variances)
    this.anchors = tf.tensor2d(anchors, [anchors.length / 4, 4])
  }

  dispose(): void {
    this.anchors.dispose()
  }

  /** Detections per image for a batch of raw outputs (classLogits [B, A, C+1], boxOffsets [B, A, 4]). */
  async decode(classLogits: tf.Tensor3D, boxOffsets: tf.Tensor3D): Promise<Detection[][]> {
    const { scoreThreshold, iouThreshold, topK } = this.config.decoding
    const classes = this.config.classes.length
    const [scores, boxes] = tf.tidy(() => [
      tf.softmax(classLogits),
      tf.clipByValue(this.coder.decode(boxOffsets, this.anchors), 0, 1) as tf.Tensor3D,
    ])
    try {
      const batch: Detection[][] = []
      for (let b = 0; b < classLogits.shape[0]; b++) {
        const found: Detection[] = []
        const imageBoxes = tf.tidy(() => tf.squeeze(tf.slice(boxes, [b, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D)
        for (let c = 1; c <= classes; c++) {
          const classScores = tf.tidy(() => tf.reshape(tf.slice(scores, [b, 0, c], [1, -1, 1]), [-1]) as tf.Tensor1D)
          // NMS on [x1, y1, x2, y2] is the same as on TF's [y1, x1, y2, x2]: IoU does not care which axis is first.
          const { selectedIndices, selectedScores } = await tf.image.nonMaxSuppressionWithScoreAsync(
            imageBoxes,
            classScores,
            topK,
            iouThreshold,
            scoreThreshold,
          )
          const kept = tf.tidy(() => tf.gather(imageBoxes, selectedIndices))
          const [coords, keptScores] = await Promise.all([kept.data(), selectedScores.data()])
          tf.dispose([classScores, selectedIndices, selectedScores, kept])
          for (let i = 0; i < keptScores.length; i++) {
            const box: Corners = [coords[i * 4], coords[i * 4 + 1], coords[i * 4 + 2], coords[i * 4 + 3]]
            found.push({ box, score: keptScores[i], classIndex: c })
          }
        }
        imageBoxes.dispose()
        batch.push(found.sort((x, y) => y.score - x.score).slice(0, topK))
      }
      return batch
    } finally {
      tf.dispose([scores, boxes])
    }
  }
}
