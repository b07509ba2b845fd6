// The device runner's output: one JSON object a line on stdout (the contract with src/runner/). Validated here, so a
// runner from another version, or a stray print, can never put garbage into the store.
import { z } from 'zod'

const Info = z.looseObject({
  type: z.literal('info'),
  runner: z.string().optional(),
  node: z.string().optional(),
  arch: z.string().optional(),
  platform: z.string().optional(),
  backend: z.string().optional(),
  inputShape: z.array(z.number().nullable()).optional(),
  cpu: z.string().nullable().optional(),
  piModel: z.string().nullable().optional(),
})
const Sample = z.looseObject({
  type: z.literal('sample'),
  i: z.number().int().nonnegative(),
  ms: z.number().finite().nonnegative(),
  tempC: z.number().finite().nullable().optional(),
})
const Summary = z.looseObject({
  type: z.literal('summary'),
  samples: z.number().int().nonnegative(),
  p50Ms: z.number().nullable().optional(),
  p90Ms: z.number().nullable().optional(),
  p99Ms: z.number().nullable().optional(),
  meanMs: z.number().nullable().optional(),
  fps: z.number().nullable().optional(),
  throttled: z.unknown().optional(),
})
const Failure = z.looseObject({ type: z.literal('error'), message: z.string() })

export const RunnerLine = z.discriminatedUnion('type', [Info, Sample, Summary, Failure])
export type RunnerLine = z.infer<typeof RunnerLine>
export type RunnerInfo = z.infer<typeof Info>
export type RunnerSample = z.infer<typeof Sample>
export type RunnerSummary = z.infer<typeof Summary>

/** A line of runner output, or null for anything that is not a runner message (kept as log text by the caller). */
export function parseRunnerLine(line: string): RunnerLine | null {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null
  }
  const parsed = RunnerLine.safeParse(value)
  return parsed.success ? parsed.data : null
}
