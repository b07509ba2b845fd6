// ClipByValue's gradient on wasm as one pass: dy where min ≤ x ≤ max, else 0. TF.js composes it from GreaterEqual,
// LessEqual, LogicalAnd, ZerosLike and Select, five passes over the activations for every ReLU6 of a MobileNet.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { maskedCopy } from './relu6-grad.js'
import type { BackendWasm } from './wasm-ops.js'

export const CLIP_BY_VALUE_GRAD = 'KindlingClipByValueGrad'

export const clipByValueGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo }
  const { clipValueMin: lo, clipValueMax: hi } = attrs as unknown as { clipValueMin: number; clipValueMax: number }
  const dx = b.makeOutput([...x.shape], 'float32')
  maskedCopy(b, dy, x, dx, lo, hi, true)
  return dx
}

export const clipByValueGradConfig: KernelConfig = {
  kernelName: CLIP_BY_VALUE_GRAD,
  backendName: 'wasm',
  kernelFunc: clipByValueGrad,
}
