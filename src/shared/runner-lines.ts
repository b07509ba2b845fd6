// What the device runner prints, one JSON object a line (the contract in docs/runner.md#the-contract), as zod
// schemas: the studio reads these lines from a device over SSH — input from another machine — and validates each one
// before it reaches the UI or the store. The runner itself does not import this (zod would double its bundle); a test
// runs the built runner and parses its every line with these schemas, so the two cannot drift apart.
import { z } from 'zod'

const Ms = z.number().nonnegative()
/** Summary numbers are null when nothing was measured (stopped during warm-up). */
const MaybeMs = Ms.nullable()

export const RunnerInfo = z.object({
  type: z.literal('info'),
  runner: z.string(),
  node: z.string(),
  arch: z.string(),
  platform: z.string(),
  /** What ran the model: ONNX Runtime (its ONNX export) or TF.js (its layers model). */
  runtime: z.enum(['onnx', 'tfjs']),
  /** onnxruntime-node's version, or tfjs-core's. */
  runtimeVersion: z.string(),
  /** Where the runtime computes: "cpu" (ONNX Runtime's CPU execution provider), "wasm" (TF.js). */
  backend: z.string(),
  /** Threads the model runs on: ONNX Runtime's intra-op threads; TF.js wasm runs on one. */
  threads: z.number().int().positive(),
  precision: z.enum(['fp32', 'int8']),
  /** Why ONNX Runtime is not used when --runtime auto fell back to TF.js; null otherwise. */
  fallback: z.string().nullable(),
  inputShape: z.array(z.number().int().positive()),
  /** What the model's description (detector.json) says it is, and its classes; null for a folder without one. */
  task: z.enum(['detect', 'classify']).nullable().optional(),
  classes: z.array(z.string()).nullable().optional(),
  cpu: z.string(),
  piModel: z.string().nullable(),
})
export type RunnerInfo = z.infer<typeof RunnerInfo>

/** Only with --outputs: the model's outputs for the runner's fixed input. */
export const RunnerOutputs = z.object({
  type: z.literal('outputs'),
  outputs: z.array(
    z.object({
      shape: z.array(z.number().int().nonnegative()),
      sum: z.number().nullable(),
      first: z.array(z.number().nullable()),
    }),
  ),
})
export type RunnerOutputs = z.infer<typeof RunnerOutputs>

export const RunnerSample = z.object({
  type: z.literal('sample'),
  i: z.number().int().nonnegative(),
  ms: Ms,
  tempC: z.number().nullable(),
})
export type RunnerSample = z.infer<typeof RunnerSample>

export const RunnerSummary = z.object({
  type: z.literal('summary'),
  samples: z.number().int().nonnegative(),
  p50Ms: MaybeMs,
  p90Ms: MaybeMs,
  p99Ms: MaybeMs,
  meanMs: MaybeMs,
  fps: z.number().nonnegative().nullable(),
  /** `vcgencmd get_throttled`'s flags, e.g. "0x50005"; null off a Pi. */
  throttled: z.string().nullable(),
})
export type RunnerSummary = z.infer<typeof RunnerSummary>

export const RunnerError = z.object({ type: z.literal('error'), message: z.string() })
export type RunnerError = z.infer<typeof RunnerError>

export const RunnerLine = z.discriminatedUnion('type', [RunnerInfo, RunnerOutputs, RunnerSample, RunnerSummary, RunnerError])
export type RunnerLine = z.infer<typeof RunnerLine>

/** One line of runner output, parsed and validated; throws an error quoting the line when it is not one. */
export function parseRunnerLine(line: string): RunnerLine {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    throw new Error(`the runner printed a line that is not JSON: ${line.slice(0, 200)}`)
  }
  const parsed = RunnerLine.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`the runner printed an unexpected line (${issue.path.join('.') || 'type'}: ${issue.message}): ${line.slice(0, 200)}`)
  }
  return parsed.data
}
