// face-api (`@vladmandic/face-api`) on the studio's own TF.js. Its Node bundles `require('@tensorflow/tfjs')` (the union
// package, which the studio does not install) and copy its exports into the one `tf` object every model uses, so the
// bundle is evaluated here with a `require` that hands it OUR tfjs-core: its models run on whatever backend
// `initEngine()` chose (wasm with XNNPACK, or native TensorFlow), with no second copy of TF.js, no second wasm module and
// no backend switch behind the engine's back. Models load from the package's model/ folder on disk: no network.
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

/**
 * SSD MobileNetV1's layers, as face-api writes them, run three ops each: a convolution, then a batch norm (depthwise
 * layers) or a bias add (pointwise ones), then relu6 — each a pass over the whole feature map. Swapped for one fused
 * convolution with bias and relu6 (the batch norm folded into the depthwise filters and a bias, once per layer),
 * the network computes the same thing in one pass per layer. The exact source text is matched: with another
 * face-api build that differs, nothing is replaced and the unfused layers run (`fusedLayers()` says which).
 */
const FUSIONS = [
  {
    find: 'function Z(o,t,e){return Ct.tidy(()=>{let r=Ct.conv2d(o,t.filters,e,"same");return r=Ct.add(r,t.batch_norm_offset),Ct.clipByValue(r,0,6)})}',
    replace: 'function Z(o,t,e){return __kindling.pointwise(o,t,e)}',
  },
  {
    find: 'function sa(o,t,e){return xt.tidy(()=>{let r=xt.depthwiseConv2d(o,t.filters,e,"same");return r=xt.batchNorm(r,t.batch_norm_mean,t.batch_norm_variance,t.batch_norm_offset,t.batch_norm_scale,aa),xt.clipByValue(r,0,6)})}',
    replace: 'function sa(o,t,e){return __kindling.depthwise(o,t,e,aa)}',
  },
]

interface ConvParams {
  filters: tf.Tensor4D
  batch_norm_offset: tf.Tensor1D
  batch_norm_mean?: tf.Tensor1D
  batch_norm_variance?: tf.Tensor1D
  batch_norm_scale?: tf.Tensor1D
}

const folded = new WeakMap<ConvParams, { filter: tf.Tensor4D; bias: tf.Tensor1D }>()

const fusedLayers = {
  pointwise: (x: tf.Tensor4D, p: ConvParams, strides: [number, number]) =>
    tf.fused.conv2d({ x, filter: p.filters, strides, pad: 'same', bias: p.batch_norm_offset, activation: 'relu6' }),
  depthwise: (x: tf.Tensor4D, p: ConvParams, strides: [number, number], epsilon: number) => {
    let f = folded.get(p)
    if (!f) {
      // y = (conv(x, w) − mean) · scale / √(var + ε) + offset = conv(x, w · k) + (offset − mean · k), k = scale / √(var + ε)
      f = tf.tidy(() => {
        const k = tf.div(p.batch_norm_scale!, tf.sqrt(tf.add(p.batch_norm_variance!, epsilon)))
        const filter = tf.mul(p.filters, tf.reshape(k, [1, 1, -1, 1])) as tf.Tensor4D
        const bias = tf.sub(p.batch_norm_offset, tf.mul(p.batch_norm_mean!, k)) as tf.Tensor1D
        return { filter: tf.keep(filter), bias: tf.keep(bias) }
      })
      folded.set(p, f)
    }
    return tf.fused.depthwiseConv2d({ x, filter: f.filter, strides, pad: 'same', bias: f.bias, activation: 'relu6' })
  },
}

let fusedCount = 0

/** How many of SSD MobileNetV1's layer kinds run fused (2 with the face-api build this was written for). */
export const fusedLayerKinds = () => fusedCount

/** face-api bound to this thread's tfjs-core (call after `initEngine()`). One instance per thread. */
export function faceApi(): FaceApi {
  if (loaded) return loaded
  loaded = loadFaceApi({ fuse: true })
  return loaded
}

/** A fresh face-api instance (not the thread's shared one); `fuse: false` keeps face-api's own layers (for tests). */
export function loadFaceApi({ fuse }: { fuse: boolean }): FaceApi {
  installChainedOps()
  const file = require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js')
  let source = fs.readFileSync(file, 'utf8')
  if (fuse) {
    fusedCount = 0
    for (const { find, replace } of FUSIONS) {
      if (source.split(find).length !== 2) continue
      source = source.replace(find, replace)
      fusedCount++
    }
  }
  // The bundle also requires tfjs-backend-wasm only to re-export it; the engine has already registered that backend.
  const shim = (name: string): unknown =>
    name === '@tensorflow/tfjs' ? { ...tf } : name === '@tensorflow/tfjs-backend-wasm' ? {} : require(name)
  const module = { exports: {} as Record<string, unknown> }
  new Function('require', 'module', 'exports', '__filename', '__dirname', '__kindling', source)(
    shim,
    module,
    module.exports,
    file,
    path.dirname(file),
    fusedLayers,
  )
  return module.exports as unknown as FaceApi
}

/** Load one of face-api's nets from disk, once. */
export async function loadNet<N extends FaceApiNet>(net: N): Promise<N> {
  if (!net.isLoaded) await net.loadFromDisk(faceApiModelDir())
  return net
}
