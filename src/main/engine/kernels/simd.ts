// Wasm SIMD loops over the wasm backend's own heap, for the elementwise passes of our fused kernels (batch norm in
// training, ReLU6's gradient, the depthwise filter gradient, im2col's transpose). As plain JavaScript those passes ran
// at 2–4 ns an element on this project's machine, where the backend's XNNPACK elementwise kernels take about 0.3–0.5:
// four lanes at a time and no JIT guesswork. The functions are written in WebAssembly text, simd.wat (what each
// computes, and how); `npm run simd` (scripts/simd.ts) assembles it with wabt at build time into simd-module.ts, the
// bytes this file instantiates (tests/unit/engine/simd-module.test.ts keeps the two in step). The module imports the
// backend's WebAssembly.Memory, so it reads and writes tensors where they are, with byte offsets from the backend's data
// map. Where SIMD is not available, or a tensor's channels are not a multiple of 4, the callers keep their JavaScript
// loops. Measurements: docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes".
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { simdModuleBytes } from './simd-module.js'
import type { BackendWasm } from './wasm-ops.js'

// --- Instances, one per backend heap. ------------------------------------------------------------------------------

/** simd.wat's functions. Pointers are byte offsets into the backend's heap; counts are in groups of 4 floats. */
interface Exports {
  maskStrict(dy: number, x: number, dx: number, groups: number, lo: number, hi: number): void
  maskInclusive(dy: number, x: number, dx: number, groups: number, lo: number, hi: number): void
  affine(u: number, out: number, coef: number, pixels: number, groups: number): void
  affine2(u: number, v: number, out: number, coef: number, pixels: number, groups: number): void
  sums(a: number, b: number, acc: number, pixels: number, groups: number): void
  depthwiseTap(x0: number, d0: number, count: number, xStep: number, dStep: number, acc: number, groups: number): void
  gatherQuads(x0: number, xStep: number, out: number, rowBytes: number, quads: number, groups: number): void
}

/** Off switch for tests and benchmarks comparing with the JavaScript loops. */
export const simdOptions = { enabled: true }

/** The WebAssembly API as used here (the main process's TypeScript config has no DOM typings, which declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: abstract new (...args: never[]) => object
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

const module = WA?.validate(simdModuleBytes) ? new WA.Module(simdModuleBytes) : null
const instances = new WeakMap<object, Exports>()

interface WasmInternals {
  wasm: { asm?: { memory?: unknown } }
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined }
}

/** The SIMD functions over this backend's heap, or null (no SIMD, switched off, or a backend we cannot see into). */
export function simdFor(backend: BackendWasm): Exports | null {
  if (!WA || !module || !simdOptions.enabled) return null
  const memory = (backend as unknown as WasmInternals).wasm.asm?.memory
  if (!(memory instanceof WA.Memory)) return null
  let exports = instances.get(memory)
  if (!exports) {
    exports = new WA.Instance(module, { env: { memory } }).exports as unknown as Exports
    instances.set(memory, exports)
  }
  return exports
}

/** A tensor's byte offset on the heap. */
export function address(backend: BackendWasm, t: TensorInfo): number {
  const entry = (backend as unknown as WasmInternals).dataIdMap.get(t.dataId)
  if (!entry) throw new Error('tensor is not on this wasm backend')
  return entry.memoryOffset
}
