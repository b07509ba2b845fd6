// `npm run bench -- runtimes [--rounds N] [--presets A,B] [--accuracy [--accuracy-preset NAME] [--minutes N]
//   [--train-photos N] [--val-photos N] [--calibration N]]`:
// one frame (batch 1, the runner's fixed input) through each preset on four runtimes, side by side in one process:
// - TF.js wasm on one thread: the stock wasm backend as the runner sets it up (no studio kernels), model.predict and
//   the outputs read back;
// - ONNX Runtime fp32 on one thread, and on all threads (os.availableParallelism());
// - ONNX Runtime int8 (static QDQ, src/main/onnx/quantize.ts, calibrated on 32 GENKI train photos) on all threads,
//   and (beside the RESULT's four, as `int8OneThreadMs`) on one thread: on this shared 2-core machine a second thread
//   is often busy with someone else's work, which all-threads timings feel most.
// The runtimes take turns (a few frames each, every round, in a rotating order) so that the machine's noise hits all
// alike; p50 over all frames. The models have batch-norm statistics like a trained network's (not the identity) so
// that folding is real; weights are the preset's seeded init. The int8 model's optimized graph is checked for fused
// integer convolutions (QLinearConv), which the table reports.
// `--accuracy`: what int8 costs on a run trained on GENKI: a fresh project with GENKI-SZSL train/val photos and people's
// boxes, `--accuracy-preset` (default the Pi preset, from its default init) trained for `--minutes`, its best checkpoint
// exported to ONNX and quantized (calibrated on `--calibration` of the project's train photos), and both scored on
// the project's val split by int8AccuracyCost (val AP50 fp32, int8, the drop).
// Ends with `RESULT {"presets":{NAME:{"tfjsMs","ortMs","ortAllThreadsMs","int8Ms"}},"ortSpeedup","int8Speedup", …}`, the
// speed-ups for mobilenet-ssd-320x240 (TF.js ÷ ONNX Runtime on one thread; fp32 ÷ int8 on all threads).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import * as ort from 'onnxruntime-node'
import { buildDetector, preset } from '../../src/main/detector/index.js'
import { withSeededRandom } from '../../src/main/engine/seeded.js'
import { CALIBRATION_PHOTOS, int8AccuracyCost, layersToOnnx, OnnxDetector, quantizeForProject, quantizeOnnx } from '../../src/main/onnx/index.js'
import { onnx } from '../../src/main/onnx/onnx-proto.js'
import { IDENTITY_PLAN, loadCheckpointWeights, loadSample } from '../../src/main/train/index.js'
import { fixedInput } from '../../src/runner/fixed-input.js'
import { PI_PRESET } from '../../src/shared/api.js'
import { genkiImages, szslTrainLabels, tempDir } from '../helpers/fixtures.js'
import { trainOnGenki } from '../helpers/genki-run.js'
import { flag, median, round, table } from './util.js'
import { trainedLikeNorms } from '../helpers/norms.js'

const SPEEDUP_PRESET = 'mobilenet-ssd-320x240'
const DEFAULT_PRESETS = [SPEEDUP_PRESET, 'alexnet-ssd-320x240', PI_PRESET]
const RUNTIMES = ['tfjs', 'ort', 'ortAllThreads', 'int8', 'int8OneThread'] as const
type Runtime = (typeof RUNTIMES)[number]

function wholeFlag(args: string[], name: string, fallback: number, min = 1): number {
  const raw = flag(args, name)
  const n = raw === undefined ? fallback : Number(raw)
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`--${name} must be a whole number ≥ ${min}, not ${raw}`)
  return n
}

/** The first `n` GENKI-SZSL train photos as model inputs, for calibrating the benchmark's int8 models. */
async function genkiInputs(input: { width: number; height: number }, n: number): Promise<Float32Array[]> {
  const coco = JSON.parse(fs.readFileSync(szslTrainLabels, 'utf8')) as { images: { id: number; file_name: string }[] }
  return Promise.all(
    coco.images.slice(0, n).map(async (im) => {
      const image = { id: im.id, path: path.join(genkiImages, im.file_name), sha256: '', width: 0, height: 0, boxes: [], labels: [] }
      return (await loadSample(image, input, IDENTITY_PLAN)).pixels
    }),
  )
}

/** How ONNX Runtime's optimizer leaves the int8 model: op counts of the optimized graph. */
async function optimizedOps(bytes: Uint8Array, threads: number): Promise<Map<string, number>> {
  const file = path.join(tempDir('kindling-runtimes-'), 'optimized.onnx')
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, optimizedModelFilePath: file, logSeverityLevel: 3 })
  await session.release()
  const ops = new Map<string, number>()
  for (const n of onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node!) ops.set(n.opType!, (ops.get(n.opType!) ?? 0) + 1)
  return ops
}

interface PresetSetup {
  name: string
  run: Record<Runtime, () => Promise<void>>
  fusion: string
  dispose: () => Promise<void>
}

async function setUp(name: string, threads: number): Promise<PresetSetup> {
  const { model, config } = withSeededRandom(1, () => buildDetector(preset(name)))
  trainedLikeNorms(model)
  const fp32 = layersToOnnx(model)
  const int8 = await quantizeOnnx(fp32, await genkiInputs(config.input, 32))
  const ops = await optimizedOps(int8, threads)
  const convs = (ops.get('Conv') ?? 0) + (ops.get('QLinearConv') ?? 0) + (ops.get('FusedConv') ?? 0)
  const fusion = `${ops.get('QLinearConv') ?? 0}/${convs} convs QLinearConv`
  const shape = [1, config.input.height, config.input.width, 3]
  const pixels = fixedInput(shape)
  const input = tf.tensor(pixels, shape, 'float32')
  const [ort1, ortN, int8N, int81] = await Promise.all([
    OnnxDetector.load(fp32, { threads: 1 }),
    OnnxDetector.load(fp32, { threads }),
    OnnxDetector.load(int8, { threads }),
    OnnxDetector.load(int8, { threads: 1 }),
  ])
  const onnxRun = (d: OnnxDetector) => async () => {
    await d.run(pixels, 1)
  }
  return {
    name,
    fusion,
    run: {
      // As the runner's infer(): predict, read every output back, dispose.
      tfjs: async () => {
        const out = model.predict(input) as tf.Tensor[]
        for (const t of out) t.dataSync()
        tf.dispose(out)
      },
      ort: onnxRun(ort1),
      ortAllThreads: onnxRun(ortN),
      int8: onnxRun(int8N),
      int8OneThread: onnxRun(int81),
    },
    dispose: async () => {
      input.dispose()
      model.dispose()
      await Promise.all([ort1.release(), ortN.release(), int8N.release(), int81.release()])
    },
  }
}

async function accuracy(args: string[]) {
  const presetName = flag(args, 'accuracy-preset') ?? PI_PRESET
  const minutes = Number(flag(args, 'minutes') ?? 5)
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number`)
  const trainPhotos = wholeFlag(args, 'train-photos', 800)
  const valPhotos = wholeFlag(args, 'val-photos', 681)
  const calibration = wholeFlag(args, 'calibration', CALIBRATION_PHOTOS)
  let t = performance.now()
  console.error(`accuracy: training ${presetName} on ${trainPhotos} GENKI train photos for ${minutes} min …`)
  process.env.KINDLING_BACKEND ??= 'wasm'
  const run = await trainOnGenki({ preset: presetName, trainPhotos, valPhotos, minutes })
  const trainSec = round((performance.now() - t) / 1000, 1)
  try {
    const store = run.studio.project!
    const detector = buildDetector(run.config)
    await loadCheckpointWeights(detector.model, run.checkpoint)
    const fp32 = layersToOnnx(detector.model)
    detector.model.dispose()
    t = performance.now()
    const { int8, calibrationPhotos } = await quantizeForProject(store, fp32, run.config, { calibrationPhotos: calibration })
    const quantizeSec = round((performance.now() - t) / 1000, 1)
    t = performance.now()
    const cost = await int8AccuracyCost(store, { fp32, int8 }, run.config)
    const scoreSec = round((performance.now() - t) / 1000, 1)
    return {
      preset: presetName,
      minutes,
      steps: run.steps,
      trainPhotos,
      valPhotos: cost.valPhotos,
      calibrationPhotos,
      fp32Ap50: round(cost.fp32Ap50, 4),
      int8Ap50: round(cost.int8Ap50, 4),
      ap50Drop: round(cost.ap50Drop, 4),
      fp32Ap: round(cost.fp32.ap, 4),
      int8Ap: round(cost.int8.ap, 4),
      seconds: { train: trainSec, quantize: quantizeSec, score: scoreSec },
    }
  } finally {
    await run.studio.close()
  }
}

export default async function runtimesBench(args: string[]) {
  const rounds = wholeFlag(args, 'rounds', 15)
  const perTurn = wholeFlag(args, 'frames', 3)
  const presets = flag(args, 'presets')?.split(',') ?? DEFAULT_PRESETS
  const threads = os.availableParallelism()
  // The runner's TF.js: the stock wasm backend (one thread in Node).
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise')
  await tf.ready()
  const setups: PresetSetup[] = []
  for (const name of presets) {
    console.error(`setting up ${name} (export, int8 calibration) …`)
    setups.push(await setUp(name, threads))
  }
  const samples = new Map<string, number[]>()
  const key = (p: string, r: Runtime) => `${p}/${r}`
  try {
    // Warm-up: every model once or twice on every runtime.
    for (const s of setups) for (const r of RUNTIMES) for (let i = 0; i < 2; i++) await s.run[r]()
    for (let round = 0; round < rounds; round++) {
      for (const s of setups) {
        for (let k = 0; k < RUNTIMES.length; k++) {
          const r = RUNTIMES[(k + round) % RUNTIMES.length]
          const list = samples.get(key(s.name, r)) ?? []
          for (let i = 0; i < perTurn; i++) {
            const start = performance.now()
            await s.run[r]()
            list.push(performance.now() - start)
          }
          samples.set(key(s.name, r), list)
        }
      }
    }
  } finally {
    for (const s of setups) await s.dispose()
  }
  const p50 = (p: string, r: Runtime) => round(median(samples.get(key(p, r))!), 2)
  const result: Record<string, { tfjsMs: number; ortMs: number; ortAllThreadsMs: number; int8Ms: number }> = {}
  const int8OneThreadMs: Record<string, number> = {}
  for (const s of setups) {
    result[s.name] = {
      tfjsMs: p50(s.name, 'tfjs'),
      ortMs: p50(s.name, 'ort'),
      ortAllThreadsMs: p50(s.name, 'ortAllThreads'),
      int8Ms: p50(s.name, 'int8'),
    }
    int8OneThreadMs[s.name] = p50(s.name, 'int8OneThread')
  }
  console.log(`\np50 ms per frame (batch 1), ${rounds} rounds × ${perTurn} frames per runtime, interleaved; all threads = ${threads}\n`)
  console.log(
    table(
      setups.map((s) => {
        const r = result[s.name]
        return {
          preset: s.name,
          'TF.js wasm 1 thr': r.tfjsMs,
          'ORT 1 thr': r.ortMs,
          [`ORT ${threads} thr`]: r.ortAllThreadsMs,
          [`int8 ${threads} thr`]: r.int8Ms,
          'int8 1 thr': int8OneThreadMs[s.name],
          'TF.js ÷ ORT': round(r.tfjsMs / r.ortMs, 2),
          [`fp32 ÷ int8 ${threads} thr`]: round(r.ortAllThreadsMs / r.int8Ms, 2),
          'fp32 ÷ int8 1 thr': round(r.ortMs / int8OneThreadMs[s.name], 2),
          'int8 graph': s.fusion,
        }
      }),
    ),
  )
  const speed = result[SPEEDUP_PRESET]
  const acc = args.includes('--accuracy') ? await accuracy(args) : null
  if (acc) {
    console.log(
      `\nint8 accuracy: ${acc.preset} trained ${acc.minutes} min (${acc.steps} steps, ${acc.trainPhotos} GENKI train photos); ` +
        `val AP50 on ${acc.valPhotos} photos: fp32 ${acc.fp32Ap50}, int8 ${acc.int8Ap50}, drop ${acc.ap50Drop} ` +
        `(calibrated on ${acc.calibrationPhotos} train photos)`,
    )
  }
  return {
    presets: result,
    ortSpeedup: speed ? round(speed.tfjsMs / speed.ortMs, 2) : null,
    int8Speedup: speed ? round(speed.ortAllThreadsMs / speed.int8Ms, 2) : null,
    threads,
    int8OneThreadMs,
    ...(acc ? { accuracy: acc } : {}),
  }
}
