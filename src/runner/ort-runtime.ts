// ONNX Runtime (onnxruntime-node: a native N-API binding with its CPU library) running the model's ONNX export on all
// the device's cores. It cannot ride inside the bundle — it is native code for one OS and architecture — so it is
// loaded at run time from a folder the studio uploaded (--ort), or resolved the normal way (this computer: the
// studio's own node_modules). Everything that keeps it from running here is an OrtUnavailable with the reason, which
// --runtime auto turns into a fallback to TF.js that says why, and --runtime onnx into an error.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type * as Ort from 'onnxruntime-node'
import type { Precision } from './args.js'
import { fixedInput } from './fixed-input.js'
import { benchmarkShape, describeValues, type OpenModel } from './runtime.js'

/** ONNX Runtime cannot run here (or cannot run this model); the message says why. */
export class OrtUnavailable extends Error {}

/** Where onnxruntime-node ships binaries (bin/napi-v6/<platform>/<arch>/ in its npm package). */
const builds: Record<string, readonly string[]> = { linux: ['x64', 'arm64'], darwin: ['x64', 'arm64'], win32: ['x64', 'arm64'] }

export function modelFile(dir: string, precision: Precision): string {
  return path.join(dir, precision === 'int8' ? 'model.int8.onnx' : 'model.onnx')
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].trim()

/** The runner's own file: normal module resolution starts beside it (the studio's node_modules on this computer). */
function runnerFile(): string {
  return typeof __filename === 'string' ? __filename : path.resolve(process.argv[1] ?? 'kindling-runner.cjs')
}

/** onnxruntime-node from `ortDir`/node_modules, or resolved from the runner's folder; its version with it. */
export function loadOrt(ortDir: string | null): { ort: typeof Ort; version: string } {
  const { platform, arch } = process
  if (!builds[platform]?.includes(arch)) {
    const hint = arch === 'arm' ? ': a 32-bit OS (a 64-bit one, e.g. Raspberry Pi OS 64-bit, runs it)' : ''
    throw new OrtUnavailable(`ONNX Runtime has no build for ${platform}/${arch}${hint}`)
  }
  let packageDir: string
  if (ortDir !== null) {
    packageDir = path.join(path.resolve(ortDir), 'node_modules', 'onnxruntime-node')
    if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
      throw new OrtUnavailable(`there is no onnxruntime-node in ${path.join(ortDir, 'node_modules')}`)
    }
  } else {
    try {
      packageDir = path.dirname(createRequire(runnerFile()).resolve('onnxruntime-node/package.json'))
    } catch {
      throw new OrtUnavailable('onnxruntime-node is not installed where the runner can find it (no --ort folder was given)')
    }
  }
  if (!fs.existsSync(path.join(packageDir, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node'))) {
    throw new OrtUnavailable(`onnxruntime-node in ${packageDir} has no binary for ${platform}/${arch}`)
  }
  try {
    const require = createRequire(path.join(packageDir, 'package.json'))
    const { version } = require('./package.json') as { version: string }
    return { ort: require(packageDir) as typeof Ort, version }
  } catch (e) {
    throw new OrtUnavailable(`ONNX Runtime failed to load: ${firstLine(e)}`)
  }
}

/**
 * The model's ONNX export (model.onnx, or model.int8.onnx for int8) in an ONNX Runtime session on `threads` threads.
 * A missing int8 model is an error of its own (int8 was asked for and cannot be had anywhere), not a reason to fall back.
 */
export async function openOrtModel(dir: string, o: { ort: string | null; threads: number; precision: Precision }): Promise<OpenModel> {
  const file = modelFile(dir, o.precision)
  if (!fs.existsSync(file)) {
    if (o.precision === 'int8') {
      throw new Error(`--precision int8 needs ${file}, which does not exist: export the model with int8`)
    }
    throw new OrtUnavailable(`there is no model.onnx in ${dir} (the model was exported for TF.js only)`)
  }
  const { ort, version } = loadOrt(o.ort)
  // ONNX Runtime logs warnings to stderr; stdout stays the report's either way, but only errors are worth reading.
  ort.env.logLevel = 'error'
  let session: Ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(file, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: o.threads,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    })
  } catch (e) {
    throw new OrtUnavailable(`ONNX Runtime could not open ${path.basename(file)}: ${firstLine(e)}`)
  }
  if (session.inputNames.length !== 1) {
    throw new Error(`${path.basename(file)} has ${session.inputNames.length} inputs; the runner benchmarks models with one input`)
  }
  const meta = session.inputMetadata[0]
  if (!meta?.isTensor || meta.type !== 'float32') {
    throw new Error(`${path.basename(file)}'s input ${session.inputNames[0]} is not a float32 tensor`)
  }
  const inputShape = benchmarkShape(meta.shape)
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', fixedInput(inputShape), inputShape) }
  const run = () => session.run(feeds)
  return {
    runtime: 'onnx',
    runtimeVersion: version,
    backend: 'cpu',
    threads: o.threads,
    precision: o.precision,
    inputShape,
    // The outputs are in this process's memory once run resolves (CPU provider); touching them is the read-back.
    async infer() {
      const out = await run()
      for (const name of session.outputNames) void out[name].data
    },
    async describeOutputs() {
      const out = await run()
      return session.outputNames.map((name) => describeValues(out[name].dims, out[name].data as Float32Array))
    },
  }
}
