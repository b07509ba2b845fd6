// Relu6's gradient on wasm as one pass: dy where 0 < x ≤ 6, else 0. TF.js composes it from LessEqual, Step, Multiply,
// Cast and Multiply, five passes over the activations for every ReLU6 of a MobileNet. The mask is multiplied in as
// 0/1 rather than chosen by a branch: activations change sign at random, and a mispredicted branch per element made
// the select three times slower than the multiply (docs/engine.md, "ReLU6").
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { heap, type BackendWasm } from './wasm-ops.js'

export const RELU6_GRAD = 'KindlingRelu6Grad'

/** dx = dy · [lo < x ≤ hi] (strictly above lo, as Relu's and Relu6's gradients are). */
export function maskedCopy(dys: Float32Array, xs: Float32Array, dxs: Float32Array, lo: number, hi: number, loInclusive: boolean): void {
  const n = xs.length
  if (loInclusive) {
    for (let i = 0; i < n; i++) {
      const v = xs[i]
      dxs[i] = dys[i] * (+(v >= lo) * +(v <= hi))
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = xs[i]
      dxs[i] = dys[i] * (+(v > lo) * +(v <= hi))
    }
  }
}

export const relu6Grad: KernelFunc = ({ inputs, backend }) => {
  const b = backend as BackendWasm
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo }
  const dx = b.makeOutput([...x.shape], 'float32')
  maskedCopy(heap(b, dy), heap(b, x), heap(b, dx), 0, 6, false)
  return dx
}

export const relu6GradConfig: KernelConfig = { kernelName: RELU6_GRAD, backendName: 'wasm', kernelFunc: relu6Grad }
