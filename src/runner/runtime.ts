// What the benchmark loop needs from a runtime: one model, opened and ready, whichever library runs it. ONNX Runtime
// and TF.js wasm both sit behind this, so the loop, the fixed input and the outputs line are the same for both.
import type { Precision } from './args.js'

export interface DescribedOutput {
  shape: number[]
  sum: number
  first: number[]
}

export interface OpenModel {
  runtime: 'onnx' | 'tfjs'
  /** The library's version: onnxruntime-node's, or tfjs-core's. */
  runtimeVersion: string
  /** Where it computes: "wasm" (TF.js), "cpu" (ONNX Runtime's CPU execution provider). */
  backend: string
  threads: number
  precision: Precision
  /** The input's shape with batch 1. */
  inputShape: number[]
  /** One forward pass on the input `prepare` was given, outputs read back. */
  infer(): Promise<void> | void
  /** The outputs for that input, in the model's output order. */
  describeOutputs(): Promise<DescribedOutput[]>
}

/** Shape, sum and first 8 values: enough to compare a device's numbers with the studio's. */
export function describeValues(shape: readonly number[], values: ArrayLike<number>): DescribedOutput {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return { shape: [...shape], sum, first: Array.from({ length: Math.min(8, values.length) }, (_, i) => values[i]) }
}

/** A model's input shape with batch 1; unknown dimensions other than the batch cannot be benchmarked. */
export function benchmarkShape(shape: readonly (number | string | null)[]): number[] {
  const fixed = shape.map((d, i) => (i === 0 && !(typeof d === 'number' && d > 0) ? 1 : d))
  if (fixed.some((d) => typeof d !== 'number' || d <= 0)) {
    throw new Error(`the model's input shape ${JSON.stringify(shape)} has unknown dimensions`)
  }
  return fixed as number[]
}
