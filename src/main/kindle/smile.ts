// face-api's face-expression net (seven expressions from a 112×112 face crop): its `happy` probability is the smile
// signal kindled onto each face box as the `smiling` attribute.
//
// The net was trained on face-api's own detector's crops, which take in the forehead, chin and some background; the
// default teacher's boxes are calibrated to GENKI's tight ones (docs/teachers.md). Fed the tight box, the net misread
// about one GENKI-4K photo in eleven. Measured with `npm run bench -- kindle-smile` (each photo's most confident
// BlazeFace face against people's smile labels; crops and threshold chosen on train only):
//
//   crop                                     train    val
//   the face box's square, happy ≥ 0.5       0.914    0.918
//   1.3× that square, + its mirror           0.945    0.953   (happy averaged, ≥ 0.65)
//
// Wider or taller crops, more scales and a logistic model over all seven expressions moved val by under 0.01 for two to
// six times the passes (docs/teachers.md, "Smiles"). face-api's own detectors' boxes are already loose: for them the
// net sees the box's square (each teacher's `smileCrop`, kindler.ts).
import * as tf from '@tensorflow/tfjs-core'
import { FACE_API_VERSION, faceApi, loadNet } from './faceapi.js'
import { toTensor, type FaceBox, type Pixels, type SmileScorer } from './teachers.js'

/** A face is called smiling when its (mirror-averaged) `happy` probability is at least this; fitted on GENKI-4K train. */
export const SMILE_THRESHOLD = 0.65

export interface SmileCrop {
  /** The side of the square the net sees, as a multiple of the face box's longer side (centred on the box). */
  scale: number
  /** Also score the mirrored crop and average: a smile is symmetric, the net's errors are not. */
  mirror: boolean
}

/** The crop for a teacher's boxes is `{ scale: teacherSmileCrop(…), mirror: true }` (kindler.ts). */
export async function faceExpressionScorer(crop: SmileCrop): Promise<SmileScorer> {
  const api = faceApi()
  const net = await loadNet(api.nets.faceExpressionNet)
  const happy = async (face: tf.Tensor3D): Promise<number> => {
    const out = (await net.predictExpressions(face)) as { happy?: number } | { happy?: number }[]
    return (Array.isArray(out) ? out[0]?.happy : out.happy) ?? 0
  }
  return {
    name: 'face-expression',
    // The crop is part of the version: kindling with `--redo` after it changes re-scores the smiles.
    version: `face-api ${FACE_API_VERSION}; crop ${crop.scale}×${crop.mirror ? ' + mirror' : ''}`,
    async happiness(image: Pixels, faces: FaceBox[]): Promise<number[]> {
      if (faces.length === 0) return []
      const input = toTensor(image)
      try {
        const scores: number[] = []
        for (const f of faces) {
          const [y, x, h, w] = squareAround(f, crop.scale, image)
          const face = tf.slice(input, [y, x, 0], [h, w, 3]) as tf.Tensor3D
          try {
            if (!crop.mirror) {
              scores.push(await happy(face))
              continue
            }
            const mirrored = tf.reverse(face, 1) as tf.Tensor3D
            try {
              scores.push(((await happy(face)) + (await happy(mirrored))) / 2)
            } finally {
              mirrored.dispose()
            }
          } finally {
            face.dispose()
          }
        }
        return scores
      } finally {
        input.dispose()
      }
    },
  }
}

/** [top, left, height, width] of the square `scale` × the box's longer side around its centre, clipped to the image. */
export function squareAround(f: FaceBox, scale: number, image: { width: number; height: number }): [number, number, number, number] {
  const side = Math.max(f.w, f.h) * scale
  const cx = f.x + f.w / 2
  const cy = f.y + f.h / 2
  const x0 = Math.min(image.width - 1, Math.max(0, Math.floor(cx - side / 2)))
  const y0 = Math.min(image.height - 1, Math.max(0, Math.floor(cy - side / 2)))
  const x1 = Math.max(x0 + 1, Math.min(image.width, Math.ceil(cx + side / 2)))
  const y1 = Math.max(y0 + 1, Math.min(image.height, Math.ceil(cy + side / 2)))
  return [y0, x0, y1 - y0, x1 - x0]
}
