// Kernel-level composition on the wasm backend. A training kernel registered for 'wasm' must not call tf.* ops (the
// engine is inside a kernel call and would record, tidy and dispose the wrong things); it calls the wasm backend's own
// kernels through their kernelFunc, and frees every intermediate with backend.disposeData. Memory-bound data movement
// the backend does slowly or not at all runs as plain loops over the wasm heap; the arithmetic goes to XNNPACK (Conv2D,
// DepthwiseConv2dNative, BatchMatMul). See docs/engine.md#kernels-for-the-wasm-backend.
import { getKernel, util, type DataType, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

export type { BackendWasm }

/** The backend's own kernels that ours replaced, by name (registerWasmTrainingKernels fills it). */
export const builtins = new Map<string, KernelFunc>()

/** The wasm backend's own kernel of that name, for the cases a replacement hands back to it. */
export function builtin(name: string): KernelFunc {
  const kernel = builtins.get(name) ?? getKernel(name, 'wasm')?.kernelFunc
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`)
  return kernel
}

/**
 * Run a kernel registered for wasm: the backend's own, or one of our replacements of a built-in (Sum, Mean, Tile), which
 * take the same inputs and attributes. Never one of our training kernels: those are not the callers' building blocks.
 */
export function run(backend: BackendWasm, name: string, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
  const kernel = getKernel(name, 'wasm')
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`)
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap })
  if (Array.isArray(out)) throw new Error(`${name} returned several tensors; run() expects one`)
  return out
}

/** A fresh, uninitialised output on the wasm heap. */
export function alloc(backend: BackendWasm, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return backend.makeOutput(shape, dtype)
}

/** A tensor holding `values`, written to the wasm heap. */
export function fromValues(backend: BackendWasm, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeOutput(shape, 'float32', undefined, values)
}

/**
 * A Float32Array view of a tensor's memory on the wasm heap. Take views only after the last allocation in a kernel:
 * allocating can grow the wasm memory, which detaches every earlier view.
 */
export function heap(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`)
  return backend.typedArrayFromHeap(t) as Float32Array
}

export function free(backend: BackendWasm, ...tensors: TensorInfo[]): void {
  for (const t of tensors) backend.disposeData(t.dataId)
}

/** The same memory seen with another shape (no copy, no new reference: the caller keeps owning `t`). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  if (util.sizeFromShape(shape) !== util.sizeFromShape(t.shape)) throw new Error(`cannot view ${t.shape} as ${shape}`)
  return { dataId: t.dataId, shape, dtype: t.dtype }
}

export const pair = (v: number | [number, number] | undefined, fallback = 1): [number, number] =>
  v == null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]]

export function requireNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports NHWC only, got ${String(dataFormat)}`)
  }
}

/**
 * Patch matrices (im2col/col2im) are built a few images at a time so that one stays under `patchFloats` floats
 * (64 MB): an SSD step at 300×300 would otherwise need a matrix of hundreds of MB on the wasm heap. Tests lower it to
 * exercise the chunked path.
 */
export const limits = { patchFloats: 16 * 1024 * 1024 }

/** Largest number of images whose per-image buffer of `perImage` floats fits in the patch budget (at least one). */
export function imagesPerChunk(batch: number, perImage: number): number {
  return Math.max(1, Math.min(batch, Math.floor(limits.patchFloats / Math.max(1, perImage))))
}

/**
 * Images [n0, n1) of a batch tensor (each `perImage` floats), seen as `shape`: the tensor itself when that is the
 * whole batch, otherwise a copy made by the Slice kernel. Free the result only if its dataId differs from `t`'s.
 */
export function rowsOf(b: BackendWasm, t: TensorInfo, n0: number, n1: number, batch: number, perImage: number, shape: number[]): TensorInfo {
  if (n0 === 0 && n1 === batch) return view(t, shape)
  const part = run(b, 'Slice', { x: view(t, [batch, perImage]) }, { begin: [n0, 0], size: [n1 - n0, perImage] })
  return { ...part, shape }
}
