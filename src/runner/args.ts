// The runner's command line. Parsed by hand: the bundle must stay small and depend on nothing but node.
import os from 'node:os'
import path from 'node:path'

export const runtimes = ['auto', 'onnx', 'tfjs'] as const
export type RuntimeChoice = (typeof runtimes)[number]
export const precisions = ['fp32', 'int8'] as const
export type Precision = (typeof precisions)[number]

export interface RunnerOptions {
  model: string
  iterations: number
  warmup: number
  /** auto: ONNX Runtime where it loads, else TF.js wasm (saying why); onnx or tfjs: that one or an error. */
  runtime: RuntimeChoice
  /** ONNX Runtime's intra-op threads; TF.js wasm runs on one. Null: the device's cores (ONNX Runtime), 1 (TF.js). */
  threads: number | null
  precision: Precision
  /** A folder holding node_modules/onnxruntime-node (what the studio uploads); null: resolved the normal way. */
  ort: string | null
  /** Also report the model's outputs for the fixed input (a check that a device computes what the studio does). */
  outputs: boolean
}

export class UsageError extends Error {}

export const usage =
  'usage: node kindling-runner.cjs --model DIR [--iterations N (100)] [--warmup W (5)] [--runtime auto|onnx|tfjs (auto)] ' +
  '[--threads N (cores)] [--precision fp32|int8 (fp32)] [--ort DIR] [--outputs]'

const integerOptions = { iterations: { min: 1 }, warmup: { min: 0 }, threads: { min: 1 } } as const
const choiceOptions = { runtime: runtimes, precision: precisions } as const
const pathOptions = ['model', 'ort'] as const

type Parsed = Partial<Record<keyof typeof integerOptions, number>> &
  Partial<Record<(typeof pathOptions)[number], string>> & { runtime?: RuntimeChoice; precision?: Precision; outputs?: boolean }

/** Options from argv (without node and the script); throws UsageError naming the bad argument. */
export function parseArgs(argv: readonly string[]): RunnerOptions {
  const options: Parsed = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : null
    if (name === 'help') throw new UsageError(usage)
    if (name === 'outputs' && eq < 0) {
      options.outputs = true
      continue
    }
    const known = name !== null && (name in integerOptions || name in choiceOptions || (pathOptions as readonly string[]).includes(name))
    if (!known) throw new UsageError(`unknown argument "${arg}"; ${usage}`)
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value; ${usage}`)
    if (name === 'model' || name === 'ort') {
      options[name] = expandHome(value)
    } else if (name === 'runtime' || name === 'precision') {
      const allowed: readonly string[] = choiceOptions[name]
      if (!allowed.includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`)
      ;(options as Record<string, string>)[name] = value
    } else {
      const key = name as keyof typeof integerOptions
      const n = Number(value)
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < integerOptions[key].min) {
        throw new UsageError(`--${key} must be a whole number ≥ ${integerOptions[key].min}, not "${value}"`)
      }
      options[key] = n
    }
  }
  if (options.model === undefined) throw new UsageError(`--model DIR is required; ${usage}`)
  const runtime = options.runtime ?? 'auto'
  const precision = options.precision ?? 'fp32'
  // tfjs-backend-wasm never uses threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), so any other count
  // would be a promise the runner cannot keep.
  if (runtime === 'tfjs' && options.threads !== undefined && options.threads !== 1) {
    throw new UsageError(`--threads ${options.threads} is not possible with --runtime tfjs: the wasm backend runs on one thread in Node`)
  }
  if (runtime === 'tfjs' && precision === 'int8') {
    throw new UsageError('--precision int8 needs ONNX Runtime: TF.js runs the fp32 model only (use --runtime onnx or auto)')
  }
  return {
    model: options.model,
    iterations: options.iterations ?? 100,
    warmup: options.warmup ?? 5,
    runtime,
    threads: options.threads ?? null,
    precision,
    ort: options.ort ?? null,
    outputs: options.outputs ?? false,
  }
}

/** The threads ONNX Runtime is given: as asked, else every core of the device. */
export function ortThreads(options: RunnerOptions): number {
  return options.threads ?? Math.max(1, os.cpus().length)
}

/**
 * "~/x" → the home folder's x. The studio passes the model folder single-quoted through the device's shell (never
 * spliced in unquoted), which leaves a "~" unexpanded; the runner expands it so "~/.kindling/<sha256>" works as is.
 */
function expandHome(dir: string): string {
  return dir === '~' || dir.startsWith('~/') ? path.join(os.homedir(), dir.slice(1)) : dir
}
