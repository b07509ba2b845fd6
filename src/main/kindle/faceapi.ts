// face-api (`@vladmandic/face-api`) on the studio's own TF.js. Its Node bundles `require('@tensorflow/tfjs')` (the
// union package, which the studio does not install) and copy its exports into the one `tf` object every model uses.
// So the bundle is evaluated here with a `require` that hands it OUR tfjs-core: its models then run on whatever
// backend `initEngine()` chose (wasm with XNNPACK, or native TensorFlow where installed), with no second copy of
// TF.js, no second wasm module, and no backend switch behind the engine's back. Models load from the package's
// model/ folder on disk: no network.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { installChainedOps } from './chained-ops.js'

const require = createRequire(import.meta.url)

/** The parts of face-api's API the teachers use (its own .d.ts refers to the tfjs union package's types). */
export interface FaceApi {
  version: string
  nets: {
    ssdMobilenetv1: FaceApiNet & { locateFaces(input: tf.Tensor3D, options: unknown): Promise<FaceApiDetection[]> }
    tinyFaceDetector: FaceApiNet & { locateFaces(input: tf.Tensor3D, options: unknown): Promise<FaceApiDetection[]> }
    faceExpressionNet: FaceApiNet & { predictExpressions(input: tf.Tensor3D | tf.Tensor4D): Promise<unknown> }
  }
  SsdMobilenetv1Options: new (o: { minConfidence?: number; maxResults?: number }) => unknown
  TinyFaceDetectorOptions: new (o: { inputSize?: number; scoreThreshold?: number }) => unknown
}
interface FaceApiNet {
  isLoaded: boolean
  loadFromDisk(dir: string): Promise<void>
}
export interface FaceApiDetection {
  score: number
  box: { x: number; y: number; width: number; height: number }
}

export const FACE_API_VERSION = (require('@vladmandic/face-api/package.json') as { version: string }).version

/** The folder holding face-api's pretrained weights. */
export function faceApiModelDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model')
}

let loaded: FaceApi | null = null

/** face-api bound to this thread's tfjs-core (call after `initEngine()`). One instance per thread. */
export function faceApi(): FaceApi {
  if (loaded) return loaded
  installChainedOps()
  const file = require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js')
  const source = fs.readFileSync(file, 'utf8')
  // The bundle also requires tfjs-backend-wasm only to re-export it; the engine has already registered that backend.
  const shim = (name: string): unknown =>
    name === '@tensorflow/tfjs' ? { ...tf } : name === '@tensorflow/tfjs-backend-wasm' ? {} : require(name)
  const module = { exports: {} as Record<string, unknown> }
  new Function('require', 'module', 'exports', '__filename', '__dirname', source)(
    shim,
    module,
    module.exports,
    file,
    path.dirname(file),
  )
  loaded = module.exports as unknown as FaceApi
  return loaded
}

/** Load one of face-api's nets from disk, once. */
export async function loadNet<N extends FaceApiNet>(net: N): Promise<N> {
  if (!net.isLoaded) await net.loadFromDisk(faceApiModelDir())
  return net
}
