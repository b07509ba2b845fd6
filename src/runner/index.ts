// The on-device runner: benchmarks a TF.js layers model on the wasm backend and reports as JSON lines. The build
// (scripts/build-runner.js) makes it one self-contained file, resources/runner/kindling-runner.cjs, with the wasm
// binaries inside; a device needs only `node` ≥ 18 (Raspberry Pi OS 64-bit has 18.19) and nothing installed by npm.
//
// CONTRACT (the studio's deploy client depends on it; change it only together with src/main/deploy/):
//
//   node kindling-runner.cjs --model DIR [--iterations N (default 100)] [--warmup W (default 5)] [--threads 1]
//                            [--outputs]
//
//   DIR holds model.json and the weight shards its weightsManifest names (what src/main/deploy/export-model.ts
//   writes); a leading "~/" means the home folder, so DIR may be passed quoted. The model gets a fixed
//   deterministic input of its input shape (batch 1; values 0–255, the raw pixels a detector expects), W untimed
//   warm-up runs, then N timed runs, one after the other.
//
//   stdout, one JSON object per line, nothing else (library chatter goes to stderr):
//     {"type":"info","runner":VERSION,"node":"v18.19.0","arch":"arm64","platform":"linux","backend":"wasm",
//      "inputShape":[1,240,320,3],"cpu":"ARM Cortex-A72","piModel":"Raspberry Pi 4 Model B Rev 1.4"|null}   first
//     {"type":"sample","i":0,"ms":12.34,"tempC":48.2|null}                                 one per timed run, i from 0
//     {"type":"summary","samples":N,"p50Ms":..,"p90Ms":..,"p99Ms":..,"meanMs":..,"fps":..,"throttled":"0x0"|null} last
//   With --outputs (for tests and troubleshooting; off by default), right after info:
//     {"type":"outputs","outputs":[{"shape":[1,3000,2],"sum":..,"first":[up to 8 values]}, …]}   the fixed input's
//   outputs, so a device's numbers can be compared with the studio's.
//   A sample's ms covers one forward pass with its outputs read back. tempC is thermal zone 0, read at most once a
//   second; throttled is `vcgencmd get_throttled` where that exists (a Pi). Percentiles interpolate linearly
//   (src/shared/latency.ts); with no samples the summary's numbers are null.
//
//   Exit 0 when all N runs were measured. On an error: {"type":"error","message":"…"} on stdout and exit 1 (a missing
//   model folder is named in the message). SIGINT / SIGTERM stop it after the run in progress: the summary of the
//   runs measured so far, then exit 130 (SIGINT) or 143 (SIGTERM); a second signal exits at once.
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
