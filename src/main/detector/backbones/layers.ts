// The building blocks every backbone is made of, so that each backbone file reads like its paper's table. Every layer
// is named: tfjs-layers otherwise names layers from a process-wide counter, so the same network built twice (or in
// another process) would get different weight names and a checkpoint could not be loaded back into it.
import * as tfl from '@tensorflow/tfjs-layers'
import type { SymbolicTensor } from '@tensorflow/tfjs-layers'
import { fusedBatchNorm, fusedRelu6 } from '../../engine/fused-layers.js'

export type S = SymbolicTensor
export type Activation = 'relu' | 'relu6' | 'leaky' | 'linear'

const L = tfl.layers

/** Spatial size [rows, cols] of an NHWC symbolic tensor. */
export function mapSize(x: S): [number, number] {
  return [x.shape[1] as number, x.shape[2] as number]
}

export function channels(x: S): number {
  return x.shape[3] as number
}

export function activate(x: S, activation: Activation, name: string): S {
  switch (activation) {
    case 'relu':
      return L.reLU({ name }).apply(x) as S
    case 'relu6':
      // MobileNets clip at 6 "because of its robustness when used with low-precision computation" (Howard et al. 2017).
      // The stock layer (so checkpoints keep its config), computed as one Relu6 op rather than Relu then a clip.
      return fusedRelu6(L.reLU({ maxValue: 6, name })).apply(x) as S
    case 'leaky':
      // DarkNet's leaky ReLU slope (Redmon & Farhadi, darknet's `activation=leaky`).
      return L.leakyReLU({ alpha: 0.1, name }).apply(x) as S
    case 'linear':
      return x
  }
}

export interface ConvOptions {
  filters: number
  kernel: number
  strides?: number
  /** A batch norm after the conv; the conv then has no bias (the norm's beta takes its place). */
  batchNorm: boolean
  activation: Activation
  /** The conv's layer name; its norm and activation are named `${name}_bn` and `${name}_${activation}`. */
  name: string
}

/**
 * Conv → (batch norm) → activation, with 'same' padding: every map is then ceil(input / stride), whatever the input
 * size, so a config can state the map sizes for 300×300 and 320×240 alike. He initialisation (He et al. 2015) suits
 * ReLU-family activations and matters for the nets without batch norm (AlexNet, its extras).
 */
export function conv(x: S, o: ConvOptions): S {
  const y = L.conv2d({
    filters: o.filters,
    kernelSize: o.kernel,
    strides: o.strides ?? 1,
    padding: 'same',
    useBias: !o.batchNorm,
    kernelInitializer: 'heNormal',
    name: o.name,
  }).apply(x) as S
  return finish(y, o.batchNorm, o.activation, o.name)
}

export interface DepthwiseOptions {
  kernel: number
  strides?: number
  batchNorm: boolean
  activation: Activation
  name: string
}

/** Depthwise conv (one filter per channel) → (batch norm) → activation, 'same' padding. */
export function depthwise(x: S, o: DepthwiseOptions): S {
  const y = L.depthwiseConv2d({
    kernelSize: o.kernel,
    strides: o.strides ?? 1,
    padding: 'same',
    useBias: !o.batchNorm,
    name: o.name,
  }).apply(x) as S
  return finish(y, o.batchNorm, o.activation, o.name)
}

function finish(y: S, batchNorm: boolean, activation: Activation, name: string): S {
  // Keras' defaults for these nets (momentum 0.99, epsilon 1e-3) are tfjs-layers' defaults too. The stock layer, whose
  // training-mode call is one kernel each way on wasm (engine/fused-layers.ts).
  const normed = batchNorm ? (fusedBatchNorm(L.batchNormalization({ name: `${name}_bn` })).apply(y) as S) : y
  return activate(normed, activation, `${name}_${activation}`)
}

/** Max pooling with 'same' padding, so the map is ceil(input / stride) like the convs'. */
export function maxPool(x: S, pool: number, strides: number, name: string): S {
  return L.maxPooling2d({ poolSize: pool, strides, padding: 'same', name }).apply(x) as S
}

export function add(a: S, b: S, name: string): S {
  return L.add({ name }).apply([a, b]) as S
}
