// The on-device runner: benchmarks a TF.js layers model on the wasm backend and reports as JSON lines. The build
// (scripts/build-runner.js) makes it one self-contained file, resources/runner/kindling-runner.cjs, with the wasm
// binaries inside; a device needs only `node` ≥ 18 (Raspberry Pi OS 64-bit has 18.19) and nothing installed by npm.
// Its arguments, output lines and exit codes are a CONTRACT with src/main/deploy/ (change both together), written out
// in docs/runner.md#the-contract.
// First: console must point at stderr before TF.js loads.
import { emit } from './quiet-stdout.js'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import fs from 'node:fs'
import { latencyStats } from '../shared/latency.js'
import { parseArgs, type RunnerOptions } from './args.js'
import { initWasmBackend } from './backend.js'
import { fixedInput } from './fixed-input.js'
import { cpuModel, piModel, temperatureReader, throttled } from './device.js'
import { modelFolder } from './load-model.js'

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

/** The model's input shape with batch 1; unknown dimensions other than the batch cannot be benchmarked. */
function benchmarkShape(model: tfl.LayersModel): number[] {
  if (model.inputs.length !== 1) {
    throw new Error(`the model has ${model.inputs.length} inputs; the runner benchmarks models with one input`)
  }
  const shape = model.inputs[0].shape.map((d, i) => (i === 0 && d === null ? 1 : d))
  if (shape.some((d) => d === null)) {
    throw new Error(`the model's input shape ${JSON.stringify(model.inputs[0].shape)} has unknown dimensions`)
  }
  return shape as number[]
}

/** One forward pass, outputs read back (a benchmark that never reads its result could measure a lazy nothing). */
function infer(model: tfl.LayersModel, input: tf.Tensor): void {
  const out = model.predict(input)
  const outputs = Array.isArray(out) ? out : [out]
  for (const t of outputs) t.dataSync()
  tf.dispose(outputs)
}

function describeOutputs(model: tfl.LayersModel, input: tf.Tensor) {
  const out = model.predict(input)
  const outputs = Array.isArray(out) ? out : [out]
  const described = outputs.map((t) => {
    const values = t.dataSync()
    let sum = 0
    for (const v of values) sum += v
    return { shape: t.shape, sum, first: Array.from(values.subarray(0, 8)) }
  })
  tf.dispose(outputs)
  return described
}

// Inference itself is synchronous; giving the event loop a turn between runs is what lets a signal stop the loop.
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

  await initWasmBackend()
  const model = await tfl.loadLayersModel(modelFolder(options.model))
  const inputShape = benchmarkShape(model)
  emit({
    type: 'info',
    runner: version,
    node: process.version,
    arch: process.arch,
    platform: process.platform,
    backend: tf.getBackend(),
    inputShape,
    cpu: cpuModel(),
    piModel: piModel(),
  })

  const input = tf.tensor(fixedInput(inputShape), inputShape, 'float32')
  if (options.outputs) emit({ type: 'outputs', outputs: describeOutputs(model, input) })
  for (let i = 0; i < options.warmup && stopSignal === null; i++) {
    infer(model, input)
    await yieldToSignals()
  }
  const temperature = temperatureReader()
  const samples: number[] = []
  for (let i = 0; i < options.iterations && stopSignal === null; i++) {
    const start = performance.now()
    infer(model, input)
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
