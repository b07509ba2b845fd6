// `npm run bench -- smile-features --project DIR [--run ID] [--limit N]`: where in a face detector the smile is.
// For each of the detector's feature maps (the maps its SSD head reads), every photo's main face (its largest box) is
// read off the map over the face's box as a 3×3 grid of mean features (the layout of eyes and mouth kept), and a
// linear read-out (logistic regression) learns the kindled `smiling` attribute from the train photos; it is scored on
// GENKI-4K val against people's labels, like the `smile` bench's verdicts. A map whose read-out is near 0.5 does not
// carry the smile, and a new class predicted from it cannot learn it without retraining the layers below.
//
// DIR is a project the `smile` bench kept (`npm run bench -- smile --project DIR`): its photos, kindling and the
// face detector run (`--run`, default its newest `faces` run). The read-out's L2 weight is chosen on a fifth of the
// train photos held out, never on val.
//
// Ends with `RESULT {"maps":[{"layer","size","channels","valAccuracy","trainAccuracy","l2"}…],"run","trainPhotos","valPhotos"}`.
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { buildDetector, DetectorConfig } from '../../src/main/detector/index.js'
import { initEngine } from '../../src/main/engine/index.js'
import { Studio } from '../../src/main/studio.js'
import { loadCheckpointWeights } from '../../src/main/train/checkpoint.js'
import { loadDataset, type TrainImage } from '../../src/main/train/dataset.js'
import { loadSample } from '../../src/main/train/pipeline.js'
import { datasets } from '../helpers/fixtures.js'
import { flag, readSmileLabels, round, table } from './util.js'

const GRID = 3
const L2_CHOICES = [0.003, 0.01, 0.03, 0.1]

const area = (b: readonly number[]) => (b[2] - b[0]) * (b[3] - b[1])

/** A map's features over `box` (normalised corners) as GRID × GRID cell means, channels last. */
function gridFeatures(data: Float32Array, [rows, cols, channels]: number[], offset: number, box: readonly number[]): Float32Array {
  const out = new Float32Array(GRID * GRID * channels)
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      const span = (lo: number, hi: number, k: number, n: number) => {
        const a = Math.min(n - 1, Math.floor((lo + ((hi - lo) * k) / GRID) * n))
        return [a, Math.max(a + 1, Math.min(n, Math.ceil((lo + ((hi - lo) * (k + 1)) / GRID) * n)))]
      }
      const [r0, r1] = span(box[1], box[3], gy, rows)
      const [c0, c1] = span(box[0], box[2], gx, cols)
      const cell = (gy * GRID + gx) * channels
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          const at = offset + (r * cols + c) * channels
          for (let ch = 0; ch < channels; ch++) out[cell + ch] += data[at + ch]
        }
      }
      const n = (r1 - r0) * (c1 - c0)
      for (let ch = 0; ch < channels; ch++) out[cell + ch] /= n
    }
  }
  return out
}

/** Logistic regression on standardised features (Adam, full batch); returns a predictor of "smiling". */
function fitLogistic(x: Float32Array[], y: boolean[], l2: number): (f: Float32Array) => boolean {
  const d = x[0].length
  const mean = new Float32Array(d)
  const scale = new Float32Array(d)
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j] / x.length
  for (const row of x) for (let j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) ** 2 / x.length
  for (let j = 0; j < d; j++) scale[j] = 1 / (Math.sqrt(scale[j]) + 1e-6)
  const standardise = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * d)
    rows.forEach((row, i) => {
      for (let j = 0; j < d; j++) out[i * d + j] = (row[j] - mean[j]) * scale[j]
    })
    return tf.tensor2d(out, [rows.length, d])
  }
  const xs = standardise(x)
  const ys = tf.tensor2d(
    y.map((v) => (v ? 1 : 0)),
    [y.length, 1],
  )
  const w = tf.variable(tf.zeros([d, 1]))
  const b = tf.variable(tf.zeros([1]))
  const optimizer = tf.train.adam(0.01)
  for (let epoch = 0; epoch < 300; epoch++) {
    optimizer.minimize(
      () => tf.add(tf.losses.sigmoidCrossEntropy(ys, tf.add(tf.matMul(xs, w), b)), tf.mul(l2, tf.sum(tf.square(w)))) as tf.Scalar,
    )
  }
  tf.dispose([xs, ys])
  optimizer.dispose()
  return (f) =>
    tf.tidy(() => {
      const logit = tf.add(tf.matMul(standardise([f]), w), b).dataSync()[0]
      return logit > 0
    })
}

const agreement = (predict: (f: Float32Array) => boolean, x: Float32Array[], y: boolean[]) =>
  x.filter((f, i) => predict(f) === y[i]).length / x.length

export default async function smileFeaturesBench(args: string[]) {
  const dir = flag(args, 'project')
  if (!dir || !fs.existsSync(path.join(dir, 'studio.db'))) {
    throw new Error('--project DIR must name a project kept by `npm run bench -- smile --project DIR`')
  }
  const limit = flag(args, 'limit') === undefined ? Infinity : Number(flag(args, 'limit'))
  const studio = new Studio()
  await studio.openProject(path.resolve(dir))
  const store = studio.project!
  const runId =
    flag(args, 'run') === undefined ? store.runs.list().find((r) => r.name === 'faces' && r.state === 'done')?.id : Number(flag(args, 'run'))
  const run = runId === undefined ? undefined : store.runs.record(runId)
  const checkpoint = run?.bestCheckpoint ?? run?.lastCheckpoint
  if (!run || !checkpoint) throw new Error(`no finished face detector run ${runId ?? 'named faces'} with a checkpoint in ${dir}`)
  const config = DetectorConfig.parse(
    (JSON.parse(fs.readFileSync(path.join(checkpoint, 'detector.json'), 'utf8')) as { config: unknown }).config,
  )

  await initEngine()
  const detector = buildDetector(config)
  await loadCheckpointWeights(detector.model, checkpoint)
  const layers = detector.maps.map((m) => m.layer)
  const features = tfl.model({
    inputs: detector.model.inputs,
    outputs: layers.map((l) => detector.model.getLayer(l).output as tfl.SymbolicTensor),
  })

  // The kindled smile per face, as the fine-tune learns it; people's labels only for val.
  const data = loadDataset(store, 'all', {
    classes: ['face', 'smiling-face'],
    classMap: { 'smiling-face': { from: 'face', attribute: 'smiling' } },
  })
  const people = new Map(readSmileLabels(path.join(datasets, 'genki', 'genki4k-smile.csv')).map((r) => [r.file, r.smile]))
  const pick = (images: TrainImage[]) => images.filter((im) => im.boxes.length > 0).slice(0, limit)
  const train = pick(data.train)
  const val = pick(data.val)
  const mainFace = (im: TrainImage) => im.boxes.reduce((best, _, i) => (area(im.boxes[i]) > area(im.boxes[best]) ? i : best), 0)

  const rows: { features: Float32Array[]; smiling: boolean }[] = []
  const started = performance.now()
  const all = [...train.map((image) => ({ image, val: false })), ...val.map((image) => ({ image, val: true }))]
  for (let at = 0; at < all.length; at += 8) {
    const chunk = all.slice(at, at + 8)
    const samples = await Promise.all(chunk.map((c) => loadSample(c.image, config.input)))
    const pixels = new Float32Array(samples.length * samples[0].pixels.length)
    samples.forEach((s, i) => pixels.set(s.pixels, i * s.pixels.length))
    const input = tf.tensor4d(pixels, [samples.length, config.input.height, config.input.width, 3])
    const maps = features.predict(input) as tf.Tensor4D[]
    const read = maps.map((m) => ({ values: m.dataSync() as Float32Array, shape: m.shape.slice(1) }))
    tf.dispose([input, ...maps])
    chunk.forEach(({ image, val: isVal }, i) => {
      const face = mainFace(image)
      rows.push({
        features: read.map(({ values, shape }) => gridFeatures(values, shape, i * shape[0] * shape[1] * shape[2], image.boxes[face])),
        smiling: isVal ? people.get(path.basename(image.path))! : image.labels[face] === 2,
      })
    })
    if (at % 800 === 0)
      console.error(`features of ${at + chunk.length} / ${all.length} photos, ${round((performance.now() - started) / 1000, 0)} s`)
  }
  const trainRows = rows.slice(0, train.length)
  const valRows = rows.slice(train.length)
  // A fifth of the train photos chooses the L2 weight; the read-out is then fitted on all of them.
  const tuneFrom = Math.floor(trainRows.length * 0.8)

  const maps = layers.map((layer, m) => {
    const x = (r: typeof rows) => r.map((row) => row.features[m])
    const y = (r: typeof rows) => r.map((row) => row.smiling)
    const fit = trainRows.slice(0, tuneFrom)
    const tune = trainRows.slice(tuneFrom)
    const l2 = L2_CHOICES.map((l) => ({ l, acc: agreement(fitLogistic(x(fit), y(fit), l), x(tune), y(tune)) })).reduce((a, b) =>
      b.acc > a.acc ? b : a,
    ).l
    const predict = fitLogistic(x(trainRows), y(trainRows), l2)
    return {
      layer,
      size: detector.maps[m].size.join('×'),
      channels: detector.maps[m].channels,
      valAccuracy: round(agreement(predict, x(valRows), y(valRows)), 4),
      trainAccuracy: round(agreement(predict, x(trainRows), y(trainRows)), 4),
      l2,
    }
  })
  console.log(
    `\nSmile read off run ${run.id}'s maps over the main face (${GRID}×${GRID} grid), kindled labels on ${train.length} train photos, people's on ${val.length} val:\n`,
  )
  console.log(
    table(
      maps.map((m) => ({
        map: m.layer,
        size: m.size,
        channels: m.channels,
        'val (people)': m.valAccuracy,
        train: m.trainAccuracy,
        l2: String(m.l2),
      })),
    ),
  )
  await studio.close()
  return { maps, run: run.id, trainPhotos: train.length, valPhotos: val.length }
}
