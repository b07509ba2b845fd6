// The on-device runner: benchmarks a model — a detector or a whole-image classifier, as its detector.json says — on ONNX Runtime (its ONNX export, all cores) or, where that cannot load,
// on TF.js's wasm backend (its layers model, one thread), and reports as JSON lines. The build
// (scripts/build-runner.js) makes it one self-contained file, resources/runner/kindling-runner.cjs, with TF.js and its
// wasm binaries inside; a device needs only `node` ≥ 18 (Raspberry Pi OS 64-bit has 18.19) and nothing installed by
// npm — ONNX Runtime, native code, is a folder the studio uploads beside it (--ort).
// Its arguments, output lines and exit codes are a CONTRACT with src/main/deploy/ (change both together), written out
// in docs/runner.md#the-contract.
// First: console must point at stderr before TF.js loads.
import { emit } from './quiet-stdout.js'
import fs from 'node:fs'
import { latencyStats } from '../shared/latency.js'
import { ortThreads, parseArgs, type RunnerOptions } from './args.js'
import { checkAgainstDescription, readDescription } from './description.js'
import { cpuModel, piModel, temperatureReader, throttled } from './device.js'
import { openOrtModel, OrtUnavailable } from './ort-runtime.js'
import type { OpenModel } from './runtime.js'
import { openTfjsModel } from './tfjs-runtime.js'

declare const __KINDLING_RUNNER_VERSION__: string | undefined
const version = typeof __KINDLING_RUNNER_VERSION__ === 'string' ? __KINDLING_RUNNER_VERSION__ : 'dev'

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const
let stopSignal: keyof typeof exitCodes | null = null

function listenForStop(): void {
  for (const signal of Object.keys(exitCodes) as (keyof typeof exitCodes)[]) {
    process.on(signal, () => {
      if (stopSignal !== null) process.exit(exitCodes[signal])
      stopSignal = signal
    })
  }
}

// Microseconds are as fine as a timer on a busy device means anything.
const round = (ms: number) => Math.round(ms * 1000) / 1000

/**
 * The model opened on the runtime asked for. auto: ONNX Runtime wherever it loads, else TF.js wasm with the reason
 * ORT is not used (never a silent switch); onnx: ONNX Runtime or an error saying why not; tfjs: TF.js wasm.
 */
async function openModel(o: RunnerOptions): Promise<{ model: OpenModel; fallback: string | null }> {
  if (o.runtime === 'tfjs') return { model: await openTfjsModel(o.model), fallback: null }
  try {
    return { model: await openOrtModel(o.model, { ort: o.ort, threads: ortThreads(o), precision: o.precision }), fallback: null }
  } catch (e) {
    if (!(e instanceof OrtUnavailable)) throw e
    if (o.runtime === 'onnx') throw new Error(`ONNX Runtime cannot run here: ${e.message}`, { cause: e })
    if (o.precision === 'int8') throw new Error(`int8 needs ONNX Runtime, which cannot run here: ${e.message}`, { cause: e })
    try {
      return { model: await openTfjsModel(o.model), fallback: e.message }
    } catch (tfjsError) {
      const why = tfjsError instanceof Error ? tfjsError.message : String(tfjsError)
      throw new Error(`ONNX Runtime cannot run here (${e.message}), and neither can TF.js: ${why}`, { cause: tfjsError })
    }
  }
}

// TF.js's inference is synchronous; giving the event loop a turn between runs is what lets a signal stop the loop.
const yieldToSignals = () => new Promise<void>((resolve) => setImmediate(resolve))

async function run(options: RunnerOptions): Promise<number> {
  let stat: fs.Stats
  try {
    stat = fs.statSync(options.model)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`
    throw new Error(`the model folder ${options.model} ${reason}`, { cause: e })
  }
  if (!stat.isDirectory()) throw new Error(`the model folder ${options.model} is not a folder`)

  const description = readDescription(options.model)
  const { model, fallback } = await openModel(options)
  // A classifier is timed like a detector; that the model is one (one [1, classes] output) is checked first.
  const outputs = options.outputs || description?.task === 'classify' ? await model.describeOutputs() : null
  if (description !== null) checkAgainstDescription(description, model.inputShape, outputs ?? [])
  emit({
    type: 'info',
    runner: version,
    node: process.version,
    arch: process.arch,
    platform: process.platform,
    runtime: model.runtime,
    runtimeVersion: model.runtimeVersion,
    backend: model.backend,
    threads: model.threads,
    precision: model.precision,
    fallback,
    inputShape: model.inputShape,
    task: description?.task ?? null,
    classes: description?.classes ?? null,
    cpu: cpuModel(),
    piModel: piModel(),
  })

  if (options.outputs && outputs) emit({ type: 'outputs', outputs })
  for (let i = 0; i < options.warmup && stopSignal === null; i++) {
    await model.infer()
    await yieldToSignals()
  }
  const temperature = temperatureReader()
  const samples: number[] = []
  for (let i = 0; i < options.iterations && stopSignal === null; i++) {
    const start = performance.now()
    await model.infer()
    const ms = performance.now() - start
    samples.push(ms)
    emit({ type: 'sample', i, ms: round(ms), tempC: temperature() })
    await yieldToSignals()
  }
  const stats = latencyStats(samples)
  emit({
    type: 'summary',
    samples: samples.length,
    p50Ms: stats && round(stats.p50Ms),
    p90Ms: stats && round(stats.p90Ms),
    p99Ms: stats && round(stats.p99Ms),
    meanMs: stats && round(stats.meanMs),
    fps: stats && round(stats.fps),
    throttled: await throttled(),
  })
  return stopSignal === null ? 0 : exitCodes[stopSignal]
}

async function main(): Promise<void> {
  listenForStop()
  let code: number
  try {
    code = await run(parseArgs(process.argv.slice(2)))
  } catch (e) {
    emit({ type: 'error', message: e instanceof Error ? e.message : String(e) })
    code = 1
  }
  process.exit(code)
}

void main()
