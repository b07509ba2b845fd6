// Per-channel passes over channels-last tensors for batch norm's kernels: sums per channel in float64, and affine maps
// with per-channel coefficients. Each runs as wasm SIMD over the heap (simd.ts) when the channels are a multiple of 4,
// and as the JavaScript loops below otherwise (docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes").
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { address, simdFor } from './simd.js'
import { free, heap, type BackendWasm } from './wasm-ops.js'

/** Pixels per block: enough for a register loop worth running, few enough that the block stays in L2. */
const blockPixels = (channels: number) => Math.max(64, Math.floor(16384 / channels))

const simdChannels = (b: BackendWasm, C: number) => (C % 4 === 0 ? simdFor(b) : null)

/** Σa and Σa·b per channel of the last axis (`channels` wide), in float64; pass the same tensor twice for Σa, Σa². */
export function channelSums(b: BackendWasm, a: TensorInfo, bt: TensorInfo, channels: number): [Float64Array, Float64Array] {
  const C = channels
  const size = heap(b, a).length
  const simd = simdChannels(b, C)
  if (simd) {
    const acc = b.makeOutput([4 * C], 'float32', undefined, new Float32Array(4 * C)) // 2C float64, zeroed
    simd.sums(address(b, a), address(b, bt), address(b, acc), size / C, C / 4)
    const sums = new Float64Array(heap(b, acc).buffer, address(b, acc), 2 * C).slice()
    free(b, acc)
    return [sums.subarray(0, C), sums.subarray(C)]
  }
  return channelSumsJs(heap(b, a), heap(b, bt), C)
}

/** channelSums as JavaScript: a block of pixels swept one channel at a time, the running sums in registers. */
export function channelSumsJs(a: Float32Array, b: Float32Array, channels: number): [Float64Array, Float64Array] {
  const C = channels
  const sumA = new Float64Array(C)
  const sumAB = new Float64Array(C)
  const pixels = a.length / C
  const block = blockPixels(C)
  for (let p0 = 0; p0 < pixels; p0 += block) {
    const end = Math.min(pixels, p0 + block) * C
    for (let c = 0; c < C; c++) {
      let s = 0
      let t = 0
      for (let i = p0 * C + c; i < end; i += C) {
        const v = a[i]
        s += v
        t += v * b[i]
      }
      sumA[c] += s
      sumAB[c] += t
    }
  }
  return [sumA, sumAB]
}

/** Per-channel coefficient rows laid end to end as float32, on the heap for the SIMD functions. */
function coefficients(b: BackendWasm, rows: Float64Array[]): TensorInfo {
  const C = rows[0].length
  const values = new Float32Array(rows.length * C)
  rows.forEach((row, r) => values.set(row, r * C))
  return b.makeOutput([values.length], 'float32', undefined, values)
}

/** out = (u − m)·a + k per channel of the last axis. */
export function channelAffine(b: BackendWasm, u: TensorInfo, out: TensorInfo, m: Float64Array, a: Float64Array, k: Float64Array): void {
  const C = a.length
  const simd = simdChannels(b, C)
  if (simd) {
    const coef = coefficients(b, [m, a, k])
    simd.affine(address(b, u), address(b, out), address(b, coef), heap(b, u).length / C, C / 4)
    free(b, coef)
    return
  }
  const us = heap(b, u)
  const outs = heap(b, out)
  const pixels = outs.length / C
  const block = blockPixels(C)
  for (let p0 = 0; p0 < pixels; p0 += block) {
    const end = Math.min(pixels, p0 + block) * C
    for (let c = 0; c < C; c++) {
      const mc = m[c]
      const ac = a[c]
      const kc = k[c]
      for (let i = p0 * C + c; i < end; i += C) outs[i] = (us[i] - mc) * ac + kc
    }
  }
}

/** out = A·u + B·(v − m) + K per channel of the last axis (u, v, out of the same size). */
export function channelAffine2(
  b: BackendWasm,
  u: TensorInfo,
  v: TensorInfo,
  out: TensorInfo,
  m: Float64Array,
  A: Float64Array,
  B: Float64Array,
  K: Float64Array,
): void {
  const C = A.length
  const simd = simdChannels(b, C)
  if (simd) {
    const coef = coefficients(b, [m, A, B, K])
    simd.affine2(address(b, u), address(b, v), address(b, out), address(b, coef), heap(b, u).length / C, C / 4)
    free(b, coef)
    return
  }
  const us = heap(b, u)
  const vs = heap(b, v)
  const outs = heap(b, out)
  const pixels = outs.length / C
  const block = blockPixels(C)
  for (let p0 = 0; p0 < pixels; p0 += block) {
    const end = Math.min(pixels, p0 + block) * C
    for (let c = 0; c < C; c++) {
      const mc = m[c]
      const ac = A[c]
      const bc = B[c]
      const kc = K[c]
      for (let i = p0 * C + c; i < end; i += C) outs[i] = ac * us[i] + bc * (vs[i] - mc) + kc
    }
  }
}
