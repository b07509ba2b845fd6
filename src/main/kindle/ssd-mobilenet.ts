// face-api's SSD MobileNetV1 face detector (WIDER FACE-trained, 512×512 input): the default teacher.
import type * as tf from '@tensorflow/tfjs-core'
import { FACE_API_VERSION, faceApi, loadNet, type FaceApiDetection } from './faceapi.js'
import { toTensor, type DetectOptions, type FaceBox, type Pixels, type Teacher } from './teachers.js'

export function toFaceBoxes(found: FaceApiDetection[]): FaceBox[] {
  return found.map((d) => ({ x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height, score: d.score }))
}

export async function detectWith(image: Pixels, locate: (input: tf.Tensor3D) => Promise<FaceApiDetection[]>): Promise<FaceBox[]> {
  const input = toTensor(image)
  try {
    return toFaceBoxes(await locate(input))
  } finally {
    input.dispose()
  }
}

export const SSD_MOBILENETV1_VERSION = `face-api ${FACE_API_VERSION}`

export async function ssdMobilenetV1Teacher(): Promise<Teacher> {
  const api = faceApi()
  const net = await loadNet(api.nets.ssdMobilenetv1)
  // One pass on a blank image at load time: the fused layers fold their batch norms on first use (faceapi.ts), and
  // those tensors belong to the loaded model, not to the first photo.
  await detectWith({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 }, (input) =>
    net.locateFaces(input, new api.SsdMobilenetv1Options({ minConfidence: 0.99, maxResults: 1 })),
  )
  return {
    name: 'ssd-mobilenetv1',
    version: SSD_MOBILENETV1_VERSION,
    detect: (image: Pixels, { minScore }: DetectOptions) =>
      detectWith(image, (input) => net.locateFaces(input, new api.SsdMobilenetv1Options({ minConfidence: minScore, maxResults: 200 }))),
  }
}
