// Backend choice: the fastest TF.js backend that loads here, in the order native GPU → native CPU → wasm (with our
// training kernels) → plain JS. The native packages are optionalDependencies that download libtensorflow at install
// time; where that failed (offline machines, CI) they are simply absent and we fall through.
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers all of them (and model code uses
// layers anyway), so importing it here makes tf.grad / optimizers work whatever the caller imported.
import '@tensorflow/tfjs-layers'
import { getThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm'
import { version_cpu } from '@tensorflow/tfjs-backend-cpu'
import { registerWasmTrainingKernels } from './kernels/index.js'

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'

export interface EngineInfo {
  /** Which backend trains: 'tensorflow-gpu' (CUDA), 'tensorflow' (native CPU), 'wasm' (XNNPACK) or 'cpu' (plain JS). */
  name: BackendName
  /** Version of the package providing the backend. */
  version: string
  /** Threads the backend computes with. */
  threads: number
}

export const backendOrder: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']

const aliases: Record<string, BackendName> = {
  'tensorflow-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  'node-gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  tensorflow: 'tensorflow',
  node: 'tensorflow',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
}

/** Parse a KINDLING_BACKEND value (or an API option); undefined/empty means "choose". */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value == null || value.trim() === '') return undefined
  const name = aliases[value.trim().toLowerCase()]
  if (!name) {
    throw new Error(`KINDLING_BACKEND=${value} is not a backend; use one of ${backendOrder.join(', ')}`)
  }
  return name
}

const require = createRequire(import.meta.url)

/**
 * The directory holding tfjs-backend-wasm's .wasm binaries, as a file path with a trailing separator. Resolved from
 * node_modules at run time (never a URL or CDN) so the studio trains offline and from the electron-vite build, whose
 * main bundle keeps dependencies external.
 */
export function wasmBinaryDirectory(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', name: BackendName): Promise<EngineInfo> {
  // A variable specifier keeps bundlers from resolving a package that is usually not installed.
  const specifier: string = pkg
  await import(/* @vite-ignore */ specifier)
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(`${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core`)
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} did not initialise`)
  const version = (require(`${pkg}/package.json`) as { version: string }).version
  return { name, version, threads: os.availableParallelism() }
}

let wasmPathsSet = false
async function tryWasm(): Promise<EngineInfo> {
  if (!wasmPathsSet) {
    setWasmPaths(wasmBinaryDirectory())
    wasmPathsSet = true
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise')
  registerWasmTrainingKernels()
  return { name: 'wasm', version: version_wasm, threads: getThreadsCount() }
}

async function tryCpu(): Promise<EngineInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise')
  return { name: 'cpu', version: version_cpu, threads: 1 }
}

const attempts: Record<BackendName, () => Promise<EngineInfo>> = {
  'tensorflow-gpu': () => tryNative('@tensorflow/tfjs-node-gpu', 'tensorflow-gpu'),
  tensorflow: () => tryNative('@tensorflow/tfjs-node', 'tensorflow'),
  wasm: tryWasm,
  cpu: tryCpu,
}

let current: EngineInfo | null = null

export interface InitOptions {
  /** Force a backend; defaults to KINDLING_BACKEND, then to the first of `backendOrder` that loads. */
  backend?: BackendName | string
  /** Called with each backend that could not be used and why (for the logs). */
  onSkip?: (name: BackendName, reason: string) => void
}

/**
 * Choose and initialise the backend. A forced backend that cannot load is an error (the user asked for it);
 * otherwise each failure is reported through `onSkip` and the next backend is tried.
 */
export async function initEngine(options: InitOptions = {}): Promise<EngineInfo> {
  const forced = parseBackendName(options.backend ?? process.env.KINDLING_BACKEND)
  if (forced) {
    try {
      current = await attempts[forced]()
    } catch (e) {
      throw new Error(`backend ${forced} was requested but cannot be used: ${(e as Error).message}`, { cause: e })
    }
    return current
  }
  for (const name of backendOrder) {
    try {
      current = await attempts[name]()
      return current
    } catch (e) {
      options.onSkip?.(name, firstLine((e as Error).message))
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised')
}

/** The backend chosen by the last initEngine(), or null before it. */
export function engineInfo(): EngineInfo | null {
  return current
}

const firstLine = (s: string) => s.split('\n')[0]
