// face-api's face-expression net (seven expressions from a 112×112 face crop): its `happy` probability is the smile
// signal kindled onto each face box as the `smiling` attribute.
import * as tf from '@tensorflow/tfjs-core'
import { FACE_API_VERSION, faceApi, loadNet } from './faceapi.js'
import { toTensor, type FaceBox, type Pixels, type SmileScorer } from './teachers.js'

/** A face is called smiling when its `happy` probability is at least this. */
export const SMILE_THRESHOLD = 0.5

export async function faceExpressionScorer(): Promise<SmileScorer> {
  const api = faceApi()
  const net = await loadNet(api.nets.faceExpressionNet)
  return {
    name: 'face-expression',
    version: `face-api ${FACE_API_VERSION}`,
    async happiness(image: Pixels, faces: FaceBox[]): Promise<number[]> {
      if (faces.length === 0) return []
      const input = toTensor(image)
      try {
        const scores: number[] = []
        for (const f of faces) {
          const x = Math.max(0, Math.floor(f.x))
          const y = Math.max(0, Math.floor(f.y))
          const w = Math.max(1, Math.min(image.width - x, Math.round(f.w)))
          const h = Math.max(1, Math.min(image.height - y, Math.round(f.h)))
          const crop = tf.slice(input, [y, x, 0], [h, w, 3]) as tf.Tensor3D
          try {
            const out = (await net.predictExpressions(crop)) as { happy?: number } | { happy?: number }[]
            scores.push((Array.isArray(out) ? out[0]?.happy : out.happy) ?? 0)
          } finally {
            crop.dispose()
          }
        }
        return scores
      } finally {
        input.dispose()
      }
    },
  }
}
