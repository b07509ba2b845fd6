import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { DetectionDecoder } from '../../../src/main/detector/decode.js'
import { initEngine } from '../../../src/main/engine/index.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

// Four anchors: 0 and 1 overlap heavily (IoU 0.81), 2 is elsewhere, 3 overlaps 0 a little (IoU ≈ 0.14).
const anchors = new Float32Array([0.1, 0.1, 0.5, 0.5, 0.12, 0.12, 0.52, 0.52, 0.6, 0.6, 0.9, 0.9, 0.35, 0.35, 0.75, 0.75])
const config = (decoding: { scoreThreshold: number; iouThreshold: number; topK: number }, classes = ['face']) => ({
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] as [number, number, number, number] },
  decoding,
  classes,
})
/** Logits whose softmax gives each anchor the listed class probabilities (background first). */
const logits = (probs: number[][]) => tf.tensor3d([probs.map((p) => p.map(Math.log))])
const noOffsets = () => tf.zeros([1, 4, 4]) as tf.Tensor3D

describe('decoding detections', () => {
  it('keeps the best of overlapping boxes of a class (NMS) and drops those under the score threshold', async () => {
    const decoder = new DetectionDecoder(config({ scoreThreshold: 0.3, iouThreshold: 0.45, topK: 10 }), anchors)
    const [found] = await decoder.decode(
      logits([
        [0.1, 0.9],
        [0.2, 0.8],
        [0.4, 0.6],
        [0.8, 0.2],
      ]),
      noOffsets(),
    )
    expect(found.map((d) => [d.classIndex, +d.score.toFixed(3)])).toEqual([
      [1, 0.9],
      [1, 0.6],
    ])
    expect(found[0].box.map((v) => +v.toFixed(5))).toEqual([0.1, 0.1, 0.5, 0.5])
    decoder.dispose()
  })

  it('suppresses within a class only: the same place can hold two classes', async () => {
    const decoder = new DetectionDecoder(config({ scoreThreshold: 0.2, iouThreshold: 0.45, topK: 10 }, ['face', 'smile']), anchors)
    const [found] = await decoder.decode(
      logits([
        [0.1, 0.5, 0.4],
        [0.1, 0.45, 0.45],
        [0.98, 0.01, 0.01],
        [0.98, 0.01, 0.01],
      ]),
      tf.zeros([1, 4, 4]) as tf.Tensor3D,
    )
    expect(found.map((d) => [d.classIndex, +d.score.toFixed(2)])).toEqual([
      [1, 0.5],
      [2, 0.45],
    ])
    decoder.dispose()
  })

  it('keeps the top k over all classes, best first', async () => {
    const decoder = new DetectionDecoder(config({ scoreThreshold: 0.1, iouThreshold: 0.9, topK: 2 }), anchors)
    const [found] = await decoder.decode(
      logits([
        [0.3, 0.7],
        [0.2, 0.8],
        [0.1, 0.9],
        [0.4, 0.6],
      ]),
      noOffsets(),
    )
    expect(found.map((d) => +d.score.toFixed(2))).toEqual([0.9, 0.8])
    decoder.dispose()
  })

  it('applies the box offsets, and clips boxes to the image', async () => {
    const decoder = new DetectionDecoder(config({ scoreThreshold: 0.5, iouThreshold: 0.45, topK: 10 }), anchors)
    // Anchor 2 (centre 0.75, size 0.3) moved right by half its width (dx = 0.5 / 0.1 = 5) runs off the image.
    const offsets = tf.tensor3d([
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [5, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    ])
    const [found] = await decoder.decode(
      logits([
        [0.9, 0.1],
        [0.9, 0.1],
        [0.1, 0.9],
        [0.9, 0.1],
      ]),
      offsets,
    )
    expect(found[0].box.map((v) => +v.toFixed(5))).toEqual([0.75, 0.6, 1, 0.9])
    decoder.dispose()
  })

  it('leaves no tensors behind', async () => {
    const decoder = new DetectionDecoder(config({ scoreThreshold: 0.3, iouThreshold: 0.45, topK: 10 }), anchors)
    const input = logits([
      [0.1, 0.9],
      [0.2, 0.8],
      [0.4, 0.6],
      [0.8, 0.2],
    ])
    const offsets = noOffsets()
    const before = tf.memory().numTensors
    await decoder.decode(input, offsets)
    expect(tf.memory().numTensors).toBe(before)
    decoder.dispose()
  })
})
