// The runner's command line. Parsed by hand: the bundle must stay small and depend on nothing but node.
import os from 'node:os'
import path from 'node:path'

export interface RunnerOptions {
  model: string
  iterations: number
  warmup: number
  threads: number
  /** Also report the model's outputs for the fixed input (a check that a device computes what the studio does). */
  outputs: boolean
}

export class UsageError extends Error {}

export const usage = 'usage: node kindling-runner.cjs --model DIR [--iterations N (100)] [--warmup W (5)] [--threads 1] [--outputs]'

const integerOptions = { iterations: { min: 1 }, warmup: { min: 0 }, threads: { min: 1 } } as const

/** Options from argv (without node and the script); throws UsageError naming the bad argument. */
export function parseArgs(argv: readonly string[]): RunnerOptions {
  const options: Partial<RunnerOptions> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : null
    if (name === 'help') throw new UsageError(usage)
    if (name === 'outputs' && eq < 0) {
      options.outputs = true
      continue
    }
    if (name !== 'model' && !(name !== null && name in integerOptions)) {
      throw new UsageError(`unknown argument "${arg}"; ${usage}`)
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value; ${usage}`)
    if (name === 'model') {
      options.model = expandHome(value)
      continue
    }
    const key = name as keyof typeof integerOptions
    const n = Number(value)
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < integerOptions[key].min) {
      throw new UsageError(`--${key} must be a whole number ≥ ${integerOptions[key].min}, not "${value}"`)
    }
    options[key] = n
  }
  if (options.model === undefined) throw new UsageError(`--model DIR is required; ${usage}`)
  // tfjs-backend-wasm never uses threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), so any other count
  // would be a promise the runner cannot keep.
  if (options.threads !== undefined && options.threads !== 1) {
    throw new UsageError(`--threads ${options.threads} is not possible: the wasm backend runs on one thread in Node`)
  }
  return {
    model: options.model,
    iterations: options.iterations ?? 100,
    warmup: options.warmup ?? 5,
    threads: 1,
    outputs: options.outputs ?? false,
  }
}

/**
 * "~/x" → the home folder's x. The studio passes the model folder single-quoted through the device's shell (never
 * spliced in unquoted), which leaves a "~" unexpanded; the runner expands it so "~/.kindling/<sha256>" works as is.
 */
function expandHome(dir: string): string {
  return dir === '~' || dir.startsWith('~/') ? path.join(os.homedir(), dir.slice(1)) : dir
}
