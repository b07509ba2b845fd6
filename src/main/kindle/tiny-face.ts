// face-api's Tiny Face Detector (a Tiny YOLO v2 variant): faster and smaller than SSD MobileNetV1, less accurate on
// small faces. Input 416 px (face-api's recommended size for photos).
import { FACE_API_VERSION, faceApi, loadNet } from './faceapi.js'
import { detectWith } from './ssd-mobilenet.js'
import type { DetectOptions, Pixels, Teacher } from './teachers.js'

export const TINY_INPUT_SIZE = 416

export const TINY_FACE_VERSION = `face-api ${FACE_API_VERSION} input ${TINY_INPUT_SIZE}`

export async function tinyFaceTeacher(): Promise<Teacher> {
  const api = faceApi()
  const net = await loadNet(api.nets.tinyFaceDetector)
  return {
    name: 'tiny-face-detector',
    version: TINY_FACE_VERSION,
    detect: (image: Pixels, { minScore }: DetectOptions) =>
      detectWith(image, (input) =>
        net.locateFaces(input, new api.TinyFaceDetectorOptions({ inputSize: TINY_INPUT_SIZE, scoreThreshold: minScore })),
      ),
  }
}
