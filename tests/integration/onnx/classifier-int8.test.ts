// int8 for whole-image classifiers: a run of the Pi's classifier preset trained here on a synthetic task (red or blue
// squares on grey noise, tagged `red` as a label file would) and exported with int8 through the studio. The int8 model
// keeps the float input and the closing softmax, carries int8 per-column weights and int32 biases in its dense layer,
// is run by ONNX Runtime as integer kernels (QLinearConv, QLinearGlobalAveragePool, QGemm), gives the probabilities the
// float model gives within a few hundredths on average, still does the task — and the export reports what each model
// really scores on val. AlexNet's head (three dense layers, two with a ReLU) is checked to fuse the same way.
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildClassifier, classifierPreset, measureNormStatistics } from '../../../src/main/classifier/index.js'
import { withProbabilities } from '../../../src/main/deploy/classifier-model.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { classifierValImages, classifyWithOnnx, layersToOnnx, quantizeOnnx } from '../../../src/main/onnx/index.js'
import { onnx } from '../../../src/main/onnx/onnx-proto.js'
import { Studio } from '../../../src/main/studio.js'
import { seededRandom } from '../../../src/main/train/index.js'
import type { ModelExport } from '../../../src/shared/api.js'
import { int8CostText } from '../../../src/shared/int8-cost.js'
import { fixedInput } from '../../../src/runner/fixed-input.js'
import { tempDir } from '../../helpers/fixtures.js'
import { trainedLikeNorms } from '../../helpers/norms.js'
import { finished, request } from '../train/helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_TRAIN_WORKERS = '2'
const SIZE = 48
const PHOTOS = 80

/** A red or blue square (a quarter to a half of the side) somewhere on grey noise, as a PNG. */
async function squarePhoto(file: string, red: boolean, random: () => number): Promise<void> {
  const data = Buffer.alloc(SIZE * SIZE * 3)
  for (let i = 0; i < data.length; i++) data[i] = 100 + Math.floor(random() * 56)
  const side = Math.floor(SIZE * (0.45 + random() * 0.3))
  const x0 = Math.floor(random() * (SIZE - side))
  const y0 = Math.floor(random() * (SIZE - side))
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data.set(red ? [220, 30, 30] : [30, 30, 220], (y * SIZE + x) * 3)
  await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toFile(file)
}

/** The op types of the graph ONNX Runtime runs, after its optimizer has fused what it can. */
async function optimizedOps(bytes: Uint8Array): Promise<string[]> {
  const file = path.join(tempDir(), 'optimized.onnx')
  const session = await ort.InferenceSession.create(bytes, { optimizedModelFilePath: file, logSeverityLevel: 3, intraOpNumThreads: 1 })
  await session.release()
  return onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node!.map((n) => n.opType!)
}

const opCount = (ops: readonly string[], op: string) => ops.filter((o) => o === op).length
const floats = (t: onnx.ITensorProto) => new Float32Array(new Uint8Array(t.rawData!).buffer)

let home: string | undefined
const studio = new Studio()
let runId: number
let exported: ModelExport

beforeAll(async () => {
  home = process.env.KINDLING_HOME
  process.env.KINDLING_HOME = tempDir('kindling-home-')
  const photos = tempDir('kindling-squares-')
  const random = seededRandom(11)
  const isRed = new Map<string, boolean>()
  for (let i = 0; i < PHOTOS; i++) {
    const name = `square-${String(i).padStart(3, '0')}.png`
    isRed.set(name, i % 2 === 0)
    await squarePhoto(path.join(photos, name), i % 2 === 0, random)
  }
  await studio.openProject(tempDir('kindling-project-'), { create: true })
  expect((await studio.importFolder(photos).finished).state).toBe('done')
  const store = studio.project!
  for (const image of store.page({ sort: 'name', offset: 0, limit: 1000 }).items) {
    store.tagTable.put({ imageId: image.id, name: 'red', value: isRed.get(image.name)!, source: 'imported' })
  }
  const started = await request(studio, 'train.start', {
    preset: 'mobilenet-classifier-160',
    tag: 'red',
    // Long enough to be sure of most photos: int8's rounding moves a photo near the boundary (below).
    epochs: 10,
    batchSize: 4,
    learningRate: 2e-3,
    seed: 3,
  })
  expect((await finished(studio, started.jobId)).state).toBe('done')
  runId = started.runId
  const { jobId } = await request(studio, 'export.start', { runId, int8: true })
  expect(await finished(studio, jobId)).toMatchObject({ kind: 'export', state: 'done' })
  ;[exported] = await request(studio, 'export.list', { runId })
}, 240_000)
afterAll(async () => {
  await studio.close()
  if (home === undefined) delete process.env.KINDLING_HOME
  else process.env.KINDLING_HOME = home
})

describe('a classifier run exported with int8', () => {
  it('reports its cost as val accuracy fp32 → int8, as each model really scores, calibrated on its train photos', async () => {
    const counts = await request(studio, 'train.counts', { labels: 'all', tag: 'red' })
    expect(exported.files.map((f) => f.name)).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.int8.onnx', 'model.json', 'model.onnx'])
    const report = exported.int8!
    // Calibrated on every train photo (fewer than the default 300), scored on every val one.
    expect(report).toMatchObject({ metric: 'accuracy', calibrationPhotos: counts.train, valPhotos: counts.val, fp32Ap50: null, int8Ap50: null })
    // The run learned the task, int8 keeps it, and the report says what each model really scores on val.
    expect(report.fp32Accuracy).toBeGreaterThanOrEqual(0.9)
    expect(report.int8Accuracy).toBeGreaterThanOrEqual(0.85)
    const images = classifierValImages(studio.project!, 'red')
    const config = classifierPreset('mobilenet-classifier-160', 'red')
    for (const [file, accuracy] of [
      ['model.onnx', report.fp32Accuracy],
      ['model.int8.onnx', report.int8Accuracy],
    ] as const) {
      const probabilities = await classifyWithOnnx(fs.readFileSync(path.join(exported.dir, file)), config, images, { threads: 1 })
      const right = images.filter((im) => probabilities.get(im.id)![1] > 0.5 === (im.classIndex === 1)).length
      expect(right / images.length, file).toBeCloseTo(accuracy!, 10)
    }
    expect(int8CostText(report)).toMatch(
      new RegExp(
        `^int8 on ${counts.val} val photos: accuracy ${report.fp32Accuracy!.toFixed(3)} → ${report.int8Accuracy!.toFixed(3)} \\([+-]\\d\\.\\d{3}\\)$`,
      ),
    )
    const description = JSON.parse(fs.readFileSync(path.join(exported.dir, 'detector.json'), 'utf8'))
    expect(description).toMatchObject({
      format: 'kindling-classifier',
      files: { onnx: 'model.onnx', onnxInt8: 'model.int8.onnx', tfjs: 'model.json' },
      int8: report,
    })
  })

  it('keeps the float input and softmax; its dense layer has int8 weights per output column and an int32 bias', () => {
    const int8 = onnx.ModelProto.decode(fs.readFileSync(path.join(exported.dir, 'model.int8.onnx')))
    const graph = int8.graph!
    expect(graph.input!.map((i) => [i.name, i.type!.tensorType!.elemType])).toEqual([['image', 1]])
    expect(graph.output!.map((o) => [o.name, o.type!.tensorType!.elemType])).toEqual([['classProbabilities', 1]])
    const inits = new Map(graph.initializer!.map((t) => [t.name, t]))
    const byOutput = new Map(graph.node!.flatMap((n) => n.output!.map((o) => [o, n] as const)))
    const [gemm] = graph.node!.filter((n) => n.opType === 'Gemm')
    const [x, w, b] = gemm.input!.map((i) => byOutput.get(i)!)
    expect([x, w, b].map((n) => n.opType)).toEqual(['DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear'])
    const weight = inits.get(w.input![0])!
    expect(weight.dataType).toBe(3) // INT8
    const [features, classes] = weight.dims!.map(Number)
    expect(classes).toBe(2)
    expect(Number(w.attribute!.find((a) => a.name === 'axis')!.i)).toBe(1)
    const weightScales = floats(inits.get(w.input![1])!)
    expect(weightScales.length).toBe(classes)
    expect(inits.get(b.input![0])!.dataType).toBe(6) // INT32
    const inputScale = floats(inits.get(x.input![1])!)[0]
    floats(inits.get(b.input![1])!).forEach((s, c) => expect(s).toBeCloseTo(inputScale * weightScales[c], 10))
    expect(features).toBe(512)
    // The logits go to the softmax unrounded: nothing quantizes them.
    const softmax = graph.node!.find((n) => n.opType === 'Softmax')!
    expect(softmax.input).toEqual(gemm.output)
    expect(fs.statSync(path.join(exported.dir, 'model.int8.onnx')).size).toBeLessThan(
      fs.statSync(path.join(exported.dir, 'model.onnx')).size * 0.35,
    )
  })

  it('is run by ONNX Runtime as integer kernels (QLinearConv, QLinearGlobalAveragePool, QGemm), not dequantized floats', async () => {
    const fp32 = onnx.ModelProto.decode(fs.readFileSync(path.join(exported.dir, 'model.onnx'))).graph!.node!
    const ops = await optimizedOps(fs.readFileSync(path.join(exported.dir, 'model.int8.onnx')))
    expect(opCount(ops, 'QLinearConv')).toBe(fp32.filter((n) => n.opType === 'Conv').length)
    expect(opCount(ops, 'QLinearGlobalAveragePool')).toBe(1)
    expect(opCount(ops, 'QGemm')).toBe(1)
    for (const float of ['Conv', 'Gemm', 'GlobalAveragePool', 'DequantizeLinear']) expect(ops).not.toContain(float)
    // One QuantizeLinear after the input scaling; the softmax reads QGemm's float logits.
    expect(opCount(ops, 'QuantizeLinear')).toBe(1)
    expect(ops.at(-1)).toBe('Softmax')
  })

  // A MobileNet trained from random weights for a few epochs amplifies the weights' rounding on its way down (about 40 %
  // relative error at its last map, int8 weights alone), so a photo near the boundary can move by a fifth and, across
  // machines, one or two of the 22 change class; on average the probabilities stay within a few hundredths.
  it('gives the probabilities the float model gives on the val photos: within a few hundredths on average, the same class', async () => {
    const config = classifierPreset('mobilenet-classifier-160', 'red')
    const images = classifierValImages(studio.project!, 'red')
    const [a, b] = await Promise.all(
      ['model.onnx', 'model.int8.onnx'].map((f) =>
        classifyWithOnnx(fs.readFileSync(path.join(exported.dir, f)), config, images, { threads: 1 }),
      ),
    )
    expect(a.size).toBe(images.length)
    const diffs = images.map((im) => Math.abs(a.get(im.id)![1] - b.get(im.id)![1]))
    expect(diffs.reduce((s, d) => s + d, 0) / diffs.length).toBeLessThan(0.05)
    expect(Math.max(...diffs)).toBeLessThan(0.35)
    const sameClass = images.filter((im) => a.get(im.id)![1] > 0.5 === b.get(im.id)![1] > 0.5).length
    expect(sameClass).toBeGreaterThanOrEqual(images.length - 2)
  })

  it("fails an int8 export clearly when the run's tag can no longer be loaded (every train photo now red)", async () => {
    const store = studio.project!
    for (const image of store.page({ sort: 'name', offset: 0, limit: 1000 }).items) {
      if (image.split === 'train') store.tagTable.put({ imageId: image.id, name: 'red', value: true, source: 'human' })
    }
    const { jobId } = await request(studio, 'export.start', { runId, int8: true })
    const end = await finished(studio, jobId)
    expect(end).toMatchObject({ kind: 'export', state: 'failed' })
    expect(end.message).toMatch(
      /int8 is scored on the val photos tagged red, as the run was evaluated, but they cannot be loaded: every train photo/,
    )
    // The previous export stays as it was.
    expect((await request(studio, 'export.list', { runId }))[0].int8).toEqual(exported.int8)
  }, 120_000)
})

describe('alexnet-classifier at int8', () => {
  it('runs its five convolutions and three dense layers (fc6 and fc7 with their ReLUs) as QLinearConv and QGemm', async () => {
    const { model, config } = withSeededRandom(1, () => buildClassifier(classifierPreset('alexnet-classifier', 'smiling')))
    const shape: [number, number, number, number] = [4, config.input.height, config.input.width, 3]
    const pixels = fixedInput(shape)
    trainedLikeNorms(model)
    tf.tidy(() => measureNormStatistics(model, [tf.tensor4d(pixels, shape)]))
    const fp32 = layersToOnnx(withProbabilities(model))
    model.dispose()
    const per = pixels.length / 4
    const int8 = await quantizeOnnx(
      fp32,
      [0, 1, 2, 3].map((i) => pixels.slice(i * per, (i + 1) * per)),
      { threads: 1 },
    )
    const ops = await optimizedOps(int8)
    expect([opCount(ops, 'QLinearConv'), opCount(ops, 'QGemm')]).toEqual([5, 3])
    for (const float of ['Conv', 'Gemm', 'Relu', 'DequantizeLinear']) expect(ops).not.toContain(float)
  }, 60_000)
})
