// Training speed per detector preset, side by side in one run: one optimizer step at a batch of real GENKI photos
// (decoded and augmented by the run's own pipeline, with their people-drawn boxes), and the pipeline's time to decode and
// augment such a batch. The pipeline works on libuv's threads while a step trains, so its share of a step says whether
// decoding is hidden (< 1) or the GPU/CPU waits for photos (> 1). Presets: `--presets a,b` (default: all, in the order
// the Train page offers them); `--batch N` (default 8); `--steps N` timed steps after one warm-up (default 3).
//
// `--profile` times every wasm kernel call of the timed single-thread steps (self time: a kernel composed of other
// kernels is charged only for its own work) and prints where a step's time goes, kernel by kernel, with call counts.
//
// `--workers=1,2` also compares data-parallel training (train/parallel.ts: that many replicas on worker threads, as a
// run on a machine with that many cores trains) with the single-thread step: both start from the same weights and take
// their steps interleaved, batch by batch, so load from other processes hits both alike; the table gives each one's
// step time and the speed-up over one thread (1 = the single-thread DetectorTrainer, in this thread). Since the machine
// is shared, it also measures how many cores this process actually gets (two spinning threads against one, before and
// after the presets): a speed-up can only be read against that — other processes in their own scheduler group (Linux
// autogroups) take their share of the cores whatever their nice value.
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core'
import { buildDetector, DetectorTrainer, preset } from '../../src/main/detector/index.js'
import { initEngine } from '../../src/main/engine/index.js'
import { withSeededRandom } from '../../src/main/engine/seeded.js'
import { mixSeed, planAugmentation, seededRandom } from '../../src/main/train/augment.js'
import type { TrainImage } from '../../src/main/train/dataset.js'
import { loadSample } from '../../src/main/train/pipeline.js'
import { TRAIN_PRESETS } from '../../src/main/train/presets.js'
import { ParallelDetectorTrainer } from '../../src/main/train/parallel.js'
import { batchPixels, batchTensor } from '../../src/main/train/score.js'
import type { Corners } from '../../src/shared/boxes.js'
import { median, round, table } from './util.js'
import { datasets } from '../helpers/fixtures.js'

const genki = path.join(datasets, 'genki')

interface Coco {
  images: { id: number; file_name: string; width: number; height: number }[]
  annotations: { image_id: number; bbox: [number, number, number, number] }[]
}

/** The first `count` GENKI-SZSL train photos with their face boxes, as a run's dataset holds them. */
function genkiTrainImages(count: number): TrainImage[] {
  const coco = JSON.parse(fs.readFileSync(path.join(genki, 'szsl-train.coco.json'), 'utf8')) as Coco
  return coco.images.slice(0, count).map((image) => {
    const boxes = coco.annotations
      .filter((a) => a.image_id === image.id)
      .map(({ bbox: [x, y, w, h] }): Corners => {
        const clip = (v: number) => Math.min(1, Math.max(0, v))
        return [clip(x / image.width), clip(y / image.height), clip((x + w) / image.width), clip((y + h) / image.height)]
      })
    return {
      id: image.id,
      path: path.join(genki, 'images', image.file_name),
      sha256: '',
      width: image.width,
      height: image.height,
      boxes,
      labels: boxes.map(() => 1),
    }
  })
}

/** A thread that spins for the given iterations and replies with the milliseconds it took. */
const SPINNER = `const { parentPort } = require('node:worker_threads')
parentPort.on('message', (n) => {
  const t = performance.now()
  let x = 1
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) % 2147483648
  parentPort.postMessage(performance.now() - t + (x < 0 ? 1 : 0))
})`

/**
 * Cores this process gets right now: the same spin on two threads at once against one thread alone, median of 5
 * (2 = both cores of a 2-core machine, 1 = one core's worth, shared between the threads).
 */
async function coresAvailable(iterations = 3e7): Promise<number> {
  const workers = [new Worker(SPINNER, { eval: true }), new Worker(SPINNER, { eval: true })]
  const spin = (w: Worker) =>
    new Promise<number>((resolve) => {
      w.once('message', resolve)
      w.postMessage(iterations)
    })
  try {
    await Promise.all(workers.map(spin)) // warm up
    const ratios: number[] = []
    for (let i = 0; i < 5; i++) {
      const alone = await spin(workers[0])
      const together = Math.max(...(await Promise.all(workers.map(spin))))
      ratios.push((2 * alone) / together)
    }
    return round(median(ratios), 2)
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

interface KernelTimes {
  calls: number
  ms: number
}

/**
 * Wrap every kernel registered for wasm with a timer. Returns the per-kernel totals (self time) and a switch that turns
 * counting on and off, so that only the timed steps are charged.
 */
function profileWasmKernels(): { times: Map<string, KernelTimes>; counting: { on: boolean } } {
  const times = new Map<string, KernelTimes>()
  const counting = { on: false }
  let nested = 0 // time spent in kernels called from inside the current kernel
  for (const config of getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc
    const wrapped: KernelConfig = {
      ...config,
      kernelFunc: (args) => {
        const outer = nested
        nested = 0
        const t = performance.now()
        const out = inner(args)
        const total = performance.now() - t
        if (counting.on) {
          const entry = times.get(config.kernelName) ?? { calls: 0, ms: 0 }
          entry.calls++
          entry.ms += total - nested
          times.set(config.kernelName, entry)
        }
        nested = outer + total
        return out
      },
    }
    unregisterKernel(config.kernelName, 'wasm')
    registerKernel(wrapped)
  }
  return { times, counting }
}

function profileTable(times: Map<string, KernelTimes>, steps: number): Record<string, string | number>[] {
  const total = [...times.values()].reduce((a, e) => a + e.ms, 0)
  return [...times.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .filter(([, e]) => e.ms / total >= 0.002)
    .map(([kernel, e]) => ({
      kernel,
      'calls/step': round(e.calls / steps, 1),
      'ms/step': round(e.ms / steps, 1),
      share: round(e.ms / total, 3),
    }))
}

const arg = (args: string[], name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]

export default async function trainBench(args: string[]) {
  const batch = Number(arg(args, 'batch') ?? 8)
  const steps = Number(arg(args, 'steps') ?? 3)
  const presets = arg(args, 'presets')?.split(',') ?? TRAIN_PRESETS
  const workerCounts = (arg(args, 'workers') ?? '1').split(',').map(Number)
  if (!workerCounts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--workers takes replica counts, e.g. 1,2')
  if (!workerCounts.includes(1)) workerCounts.unshift(1) // the baseline of the speed-up
  const engine = await initEngine()
  const profile = args.includes('--profile') ? profileWasmKernels() : null
  const profiles: Record<string, { kernelMsPerStep: number; callsPerStep: number; kernels: Record<string, string | number>[] }> = {}
  const photos = genkiTrainImages(batch * (steps + 1))
  const coresBefore = workerCounts.length > 1 ? await coresAvailable() : null

  const rows: Record<string, string | number>[] = []
  const result: Record<
    string,
    {
      stepMs: number
      imagesPerSec: number
      pipelineMs: number
      pipelineShareOfStep: number
      workers?: Record<string, { stepMs: number; stepsPerSec: number; speedup: number }>
    }
  > = {}
  for (const name of presets) {
    const config = preset(name)
    const input = config.input
    // Decode and augment every batch first (timed), so the steps below time training alone.
    const pipelineTimes: number[] = []
    const batches = []
    for (let s = 0; s <= steps; s++) {
      const slice = photos.slice(s * batch, (s + 1) * batch)
      const t = performance.now()
      const samples = await Promise.all(slice.map((image) => loadSample(image, input, planAugmentation(seededRandom(mixSeed(1, image.id))))))
      pipelineTimes.push(performance.now() - t)
      batches.push(samples)
    }
    const detector = withSeededRandom(1, () => buildDetector(config))
    const trainer = new DetectorTrainer(detector, tf.train.adam(1e-4))
    // Replicas start from the same seeded weights before the single-thread trainer moves them.
    const parallel = new Map<number, ParallelDetectorTrainer>()
    for (const n of workerCounts.filter((n) => n > 1)) {
      parallel.set(
        n,
        await ParallelDetectorTrainer.start(trainer, { workers: n, optimizer: { name: 'adam', learningRate: 1e-4 }, backend: engine.name }),
      )
    }
    const stepTimes: number[] = []
    const parallelTimes = new Map<number, number[]>([...parallel.keys()].map((n) => [n, []]))
    for (const samples of batches) {
      const labels = samples.map((s) => ({ boxes: s.boxes, labels: s.labels }))
      const images = batchTensor({ samples }, input)
      if (profile) profile.counting.on = stepTimes.length > 0 // the first step compiles and allocates
      const t = performance.now()
      trainer.step(images, labels)
      stepTimes.push(performance.now() - t)
      if (profile) profile.counting.on = false
      images.dispose()
      for (const [n, p] of parallel) {
        // Timed like a run's step: the pixels leave the pipeline's samples, targets are matched here, replicas step.
        const t = performance.now()
        await p.step(batchPixels({ samples }, input), labels, 1e-4)
        parallelTimes.get(n)!.push(performance.now() - t)
      }
    }
    for (const p of parallel.values()) await p.close()
    trainer.dispose()
    trainer.optimizer.dispose()
    detector.model.dispose()

    if (profile) {
      const timed = stepTimes.length - 1
      const all = [...profile.times.values()]
      profiles[name] = {
        kernelMsPerStep: round(all.reduce((a, e) => a + e.ms, 0) / timed, 0),
        callsPerStep: round(all.reduce((a, e) => a + e.calls, 0) / timed, 0),
        kernels: profileTable(profile.times, timed),
      }
      profile.times.clear()
    }
    const stepMs = median(stepTimes.slice(1)) // the first step compiles kernels and allocates
    const pipelineMs = median(pipelineTimes.slice(1))
    result[name] = {
      stepMs: round(stepMs, 0),
      imagesPerSec: round((batch * 1000) / stepMs, 2),
      pipelineMs: round(pipelineMs, 0),
      pipelineShareOfStep: round(pipelineMs / stepMs, 3),
    }
    const byWorkers: Record<string, { stepMs: number; stepsPerSec: number; speedup: number }> = {}
    for (const n of workerCounts) {
      const ms = n === 1 ? stepMs : median(parallelTimes.get(n)!.slice(1))
      byWorkers[n] = { stepMs: round(ms, 0), stepsPerSec: round(1000 / ms, 3), speedup: round(stepMs / ms, 2) }
      rows.push({
        preset: name,
        input: `${input.width}×${input.height}`,
        ...(workerCounts.length > 1 ? { workers: n } : {}),
        'step ms': round(ms, 0),
        'steps/s': round(1000 / ms, 3),
        'photos/s': round((batch * 1000) / ms, 2),
        ...(workerCounts.length > 1 ? { 'speed-up': round(stepMs / ms, 2) } : {}),
        'decode+augment ms': round(pipelineMs, 0),
        'share of step': round(pipelineMs / ms, 3),
      })
      console.error(`${name}, ${n} worker${n > 1 ? 's' : ''}: ${round(ms, 0)} ms a step`)
    }
    if (workerCounts.length > 1) result[name].workers = byWorkers
  }
  const coresAfter = workerCounts.length > 1 ? await coresAvailable() : null
  console.log(`\nOne training step at batch ${batch} on ${engine.name} (${engine.threads} threads), median of ${steps}:\n`)
  console.log(table(rows))
  for (const [name, p] of Object.entries(profiles)) {
    console.log(`\n${name}: ${p.kernelMsPerStep} ms a step in ${p.callsPerStep} kernel calls (self time per kernel):\n`)
    console.log(table(p.kernels))
  }
  if (coresBefore !== null)
    console.log(`\nCores available to this process (2 spinning threads vs 1): ${coresBefore} before, ${coresAfter} after`)
  return {
    backend: engine.name,
    batch,
    presets: result,
    ...(profile ? { profiles } : {}),
    ...(coresBefore !== null ? { coresAvailable: { before: coresBefore, after: coresAfter } } : {}),
  }
}
