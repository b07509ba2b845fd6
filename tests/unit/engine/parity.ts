// Helpers for comparing a kernel on wasm against the CPU backend: seeded random data, running a kernel on a named
// backend, and an error measure relative to the reference's magnitude.
import * as tf from '@tensorflow/tfjs-core'

/** Small deterministic PRNG (mulberry32) so a failing case can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomValues(random: () => number, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1)
  const v = new Float32Array(n)
  for (let i = 0; i < n; i++) v[i] = random() * 2 - 1
  return v
}

export interface Result {
  shape: number[]
  values: Float32Array
}

/** Run one kernel on `backend` with the given float32 inputs; returns its output's values. */
export async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: object,
): Promise<Result> {
  await tf.setBackend(backend)
  const tensors: Record<string, tf.Tensor> = {}
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape)
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor
  const values = (await out.data()) as Float32Array
  const result = { shape: out.shape, values: Float32Array.from(values) }
  tf.dispose([out, ...Object.values(tensors)])
  return result
}

/** max |a − b| divided by max |b| (the reference's magnitude), so the tolerance means the same at any scale. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  return scaledError(actual, expected, 1e-12)
}

/** max |a − b| divided by max(max |b|, floor). */
export function scaledError(actual: Float32Array, expected: Float32Array, floor: number): number {
  if (actual.length !== expected.length) return Infinity
  let maxDiff = 0
  let maxRef = 0
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i])
    if (!(d <= maxDiff)) maxDiff = d // also catches NaN
    maxRef = Math.max(maxRef, Math.abs(expected[i]))
  }
  return maxDiff / Math.max(maxRef, floor)
}
