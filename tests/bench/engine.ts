// The training engine on this machine: the reference network (5 convs 3→16→32→64→64→6, kernel 3, strides
// 2,2,2,2,1, same padding, ReLU, 128×128×3, batch 16, Adam, MSE to a random target) on wasm with our kernels and on
// the plain-JS CPU backend, the same step data-parallel over 2 worker threads (8 images each, gradients averaged, the
// README's "Cores"), and an AlexNet-style backbone with an SSD head at 300×300 on wasm. Also prints where a wasm step
// spends its time and what the wasm backend's own input-gradient kernel would cost instead of ours.
//   npm run bench -- engine [--steps=N] [--cpu-steps=N] [--ssd-steps=N] [--ssd-batch=N]
import * as tf from '@tensorflow/tfjs-core'
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core'
import { initEngine, startDataParallel, type Batch } from '../../src/main/engine/index.js'
import { builtinWasmConv2DBackpropInput, conv2DBackpropInputWith } from '../../src/main/engine/kernels/index.js'
import { alexNet, referenceNet, ssdModel } from '../unit/engine/models.js'
import { disposeBatch, randomSsdBatch, ssdStep } from '../unit/engine/train-step.js'
import { median, round, table, timeMedian } from './util.js'

const arg = (args: string[], name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback)

/** Median wall time of `steps` calls after `warmup` calls. */
function timeSteps(step: () => void, steps: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) step()
  const samples: number[] = []
  for (let i = 0; i < steps; i++) {
    const t = performance.now()
    step()
    samples.push(performance.now() - t)
  }
  return median(samples)
}

function referenceStep() {
  const model = referenceNet(128)
  const optimizer = tf.train.adam(1e-3)
  const x = tf.randomUniform([16, 128, 128, 3], 0, 1, 'float32', 1)
  const target = tf.randomNormal([16, 8, 8, 6], 0, 1, 'float32', 2)
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.apply(x) as tf.Tensor), true)!
    loss.dataSync()
    loss.dispose()
  }
  const batch: Batch = {
    x: { data: x.dataSync() as Float32Array, shape: x.shape },
    y: { data: target.dataSync() as Float32Array, shape: target.shape },
  }
  return {
    step,
    batch,
    dispose: () => {
      tf.dispose([x, target])
      optimizer.dispose()
    },
  }
}

/**
 * The reference step data-parallel: 2 worker threads, each its own wasm engine and replica of the network (replica 0's
 * initial weights copied to the other), each computing gradients on 8 of the 16 images; this thread averages the two
 * gradient sets and sends the average back, and both apply the same Adam update. A step is timed from sending it to
 * both replicas having applied the update, so it includes the gradient exchange. The workers keep their 8 images
 * between steps, as the single-thread step keeps its batch; a second timing sends the batch every step.
 */
async function dataParallelReference(batch: Batch, steps: number) {
  const modelsModule = new URL('../unit/engine/models.ts', import.meta.url).href
  const trainer = await startDataParallel({
    workers: 2,
    model: { module: modelsModule, export: 'referenceNet', args: [128] },
    loss: 'meanSquaredError',
    optimizer: { name: 'adam', learningRate: 1e-3 },
    backend: 'wasm',
  })
  try {
    await trainer.step(batch)
    const residentMs = await timeMedian(() => trainer.step(), steps, 3)
    const sentMs = await timeMedian(() => trainer.step(batch), Math.min(steps, 8), 1)
    const parameters = trainer.weights.filter((w) => w.trainable).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)
    return { residentMs, sentMs, gradientKB: (parameters * 4) / 1024 }
  } finally {
    await trainer.close()
  }
}

/** Swap the registered wasm Conv2DBackpropInput for `kernelFunc` while `fn` runs. */
async function withInputGrad<T>(kernelFunc: KernelConfig['kernelFunc'], fn: () => T | Promise<T>): Promise<T> {
  const ours = getKernel('Conv2DBackpropInput', 'wasm')!
  unregisterKernel('Conv2DBackpropInput', 'wasm')
  registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc })
  try {
    return await fn()
  } finally {
    unregisterKernel('Conv2DBackpropInput', 'wasm')
    registerKernel(ours)
  }
}

export default async function engineBench(args: string[]) {
  const wasmSteps = arg(args, 'steps', 20)
  const cpuSteps = arg(args, 'cpu-steps', 2)
  const ssdSteps = arg(args, 'ssd-steps', 5)
  const ssdBatch = arg(args, 'ssd-batch', 8)

  const engine = await initEngine({ backend: 'wasm' })
  console.log(`backend ${engine.name} ${engine.version}, ${engine.threads} thread(s), SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}\n`)

  // ---- reference network on wasm ----
  const ref = referenceStep()
  const refStepMs = timeSteps(ref.step, wasmSteps, 3)
  // Right after the single-thread step, so both see the same machine load.
  const dataParallel = await dataParallelReference(ref.batch, wasmSteps)
  const profile = await tf.profile(ref.step)
  const byKernel = new Map<string, number>()
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number))
  const builtin = builtinWasmConv2DBackpropInput()
  const builtinInputMs = builtin ? await withInputGrad(builtin, () => timeSteps(ref.step, Math.min(wasmSteps, 8), 1)) : NaN
  const spreadInputMs = await withInputGrad(conv2DBackpropInputWith('spread'), () => timeSteps(ref.step, Math.min(wasmSteps, 8), 1))

  // ---- the same network on the plain-JS CPU backend (≈ 50 s a step: few steps) ----
  await tf.setBackend('cpu')
  const cpuRefStepMs = timeSteps(ref.step, cpuSteps, 0)
  await tf.setBackend('wasm')
  ref.dispose()

  // ---- AlexNet-style backbone + SSD head, 300×300, on wasm ----
  const ssd = ssdModel(alexNet(300), 2, 4)
  const optimizer = tf.train.adam(1e-3)
  const batch = randomSsdBatch(ssd, ssdBatch, 3)
  const ssdStepMs = timeSteps(() => ssdStep(ssd, optimizer, batch), ssdSteps, 1)
  disposeBatch(batch)

  const speedupVsCpu = cpuRefStepMs / refStepMs
  const dataParallelSpeedup = refStepMs / dataParallel.residentMs
  console.log(
    table([
      { measure: 'reference net, wasm + our kernels (median step)', value: refStepMs, target: '≤ 150 ms' },
      { measure: "  same, with the wasm backend's own Conv2DBackpropInput", value: builtinInputMs, target: '' },
      { measure: '  same, input gradient as conv over zero-spread dy', value: spreadInputMs, target: '' },
      { measure: `reference net, plain-JS CPU (median of ${cpuSteps})`, value: cpuRefStepMs, target: '' },
      { measure: 'speed-up of wasm over CPU', value: speedupVsCpu, target: '≥ 100×' },
      { measure: 'reference net, 2 workers × 8 images, gradients averaged (median step)', value: dataParallel.residentMs, target: '' },
      { measure: '  same, the 16 images sent to the workers every step', value: dataParallel.sentMs, target: '' },
      { measure: '  gradients each worker sends and receives per step (KB)', value: dataParallel.gradientKB, target: '' },
      { measure: 'speed-up of 2 data-parallel workers over one thread', value: dataParallelSpeedup, target: 'ideal 2×' },
      { measure: `AlexNet-style + SSD head, 300×300, batch ${ssdBatch}, wasm`, value: ssdStepMs, target: '' },
      { measure: '  images per second', value: (ssdBatch * 1000) / ssdStepMs, target: '' },
    ]),
  )
  console.log('\nWhere one wasm reference step spends its time (kernel ms, one profiled step):\n')
  console.log(
    table(
      [...byKernel.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([kernel, ms]) => ({ kernel, ms })),
    ),
  )

  return {
    backend: engine.name,
    threads: engine.threads,
    refStepMs: round(refStepMs, 1),
    cpuRefStepMs: round(cpuRefStepMs, 0),
    speedupVsCpu: round(speedupVsCpu, 0),
    refStep2WorkersMs: round(dataParallel.residentMs, 1),
    dataParallelSpeedup: round(dataParallelSpeedup, 2),
    ssdStepMs: round(ssdStepMs, 0),
    ssdImagesPerSec: round((ssdBatch * 1000) / ssdStepMs, 1),
  }
}
