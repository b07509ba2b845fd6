// Relu6's gradient on wasm as one pass: dy where 0 < x ≤ 6, else 0. TF.js composes it from LessEqual, Step, Multiply,
// Cast and Multiply, five passes over the activations for every ReLU6 of a MobileNet. As wasm SIMD (simd.ts) the
// mask is compared four lanes at a time and and-ed in; the JavaScript fallback multiplies it in as 0/1 rather than
// choosing by a branch: activations change sign at random, and a mispredicted branch per element made the select three
// times slower than the multiply (docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes").
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { address, simdFor } from './simd.js'
import { heap, type BackendWasm } from './wasm-ops.js'

export const RELU6_GRAD = 'KindlingRelu6Grad'

/**
 * dx = dy where lo < x ≤ hi (lo ≤ x ≤ hi when `loInclusive`), else 0 — strictly above lo as Relu's and Relu6's
 * gradients are, inclusive as ClipByValue's.
 */
export function maskedCopy(b: BackendWasm, dy: TensorInfo, x: TensorInfo, dx: TensorInfo, lo: number, hi: number, loInclusive: boolean): void {
  const n = heap(b, x).length
  const simd = simdFor(b)
  let start = 0
  if (simd) {
    const groups = Math.floor(n / 4)
    ;(loInclusive ? simd.maskInclusive : simd.maskStrict)(address(b, dy), address(b, x), address(b, dx), groups, lo, hi)
    start = groups * 4
  }
  maskedCopyJs(heap(b, dy), heap(b, x), heap(b, dx), lo, hi, loInclusive, start)
}

/** maskedCopy as JavaScript, from element `start` on. */
function maskedCopyJs(
  dys: Float32Array,
  xs: Float32Array,
  dxs: Float32Array,
  lo: number,
  hi: number,
  loInclusive: boolean,
  start: number,
): void {
  const n = xs.length
  if (loInclusive) {
    for (let i = start; i < n; i++) {
      const v = xs[i]
      dxs[i] = dys[i] * (+(v >= lo) * +(v <= hi))
    }
  } else {
    for (let i = start; i < n; i++) {
      const v = xs[i]
      dxs[i] = dys[i] * (+(v > lo) * +(v <= hi))
    }
  }
}

export const relu6Grad: KernelFunc = ({ inputs, backend }) => {
  const b = backend as BackendWasm
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo }
  const dx = b.makeOutput([...x.shape], 'float32')
  maskedCopy(b, dy, x, dx, 0, 6, false)
  return dx
}

export const relu6GradConfig: KernelConfig = { kernelName: RELU6_GRAD, backendName: 'wasm', kernelFunc: relu6Grad }
