// Tile for wasm, replacing the backend's own: that one computes a source index per output element, and batch norm's
// gradient tiles a [C] vector over every pixel of a step's activations (the largest share of a MobileNet training step
// before this kernel: docs/engine.md).
// Here each innermost row is copied once and every repetition is a block copy that doubles what is already written.
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core'
import type { BackendWasm } from './wasm-ops.js'

type Typed = Float32Array | Int32Array | Uint8Array

export const tile: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm
  const { x } = inputs as { x: TensorInfo }
  const { reps } = attrs as unknown as TileAttrs
  const shape = x.shape
  const rank = shape.length
  const outShape = shape.map((d, i) => d * reps[i])
  const out = b.makeOutput(outShape, x.dtype)
  const size = outShape.reduce((a, d) => a * d, 1)
  if (size === 0) return out
  const src = b.typedArrayFromHeap(x) as Typed
  const dst = b.typedArrayFromHeap(out) as Typed
  if (rank === 0) {
    dst[0] = src[0]
    return out
  }
  // Elements per step along each axis, in the input and in the output.
  const inStride = new Array<number>(rank)
  const outStride = new Array<number>(rank)
  inStride[rank - 1] = 1
  outStride[rank - 1] = 1
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * shape[d + 1]
    outStride[d] = outStride[d + 1] * outShape[d + 1]
  }
  const fill = (d: number, inOffset: number, outOffset: number) => {
    const block = shape[d] * outStride[d] // one repetition along axis d
    if (d === rank - 1) dst.set(src.subarray(inOffset, inOffset + shape[d]), outOffset)
    else for (let i = 0; i < shape[d]; i++) fill(d + 1, inOffset + i * inStride[d], outOffset + i * outStride[d])
    const total = block * reps[d]
    for (let done = block; done < total; done *= 2) {
      dst.copyWithin(outOffset + done, outOffset, outOffset + Math.min(done, total - done))
    }
  }
  fill(0, 0, 0)
  return out
}

export const tileConfig: KernelConfig = { kernelName: 'Tile', backendName: 'wasm', kernelFunc: tile }
