// A whole-image classifier run leaves the studio like a detector run: a tiny synthetic run (red or blue squares, the
// tag `red`, one epoch of the Pi's classifier preset) exported through `export.start` — ONNX and TF.js ending in class
// probabilities, with detector.json saying it is a classifier — where ONNX Runtime gives the probabilities the
// checkpoint gives; then deployed to "This computer" by its run id, where the runner times it (samples streamed, a
// latency summary) on ONNX Runtime and on TF.js, knowing it for a classifier. At int8 too: exported with int8 (its cost
// the val accuracy fp32 → int8) and deployed at int8, where the runner times model.int8.onnx; from the studio and from
// the command line (`kindling export-model --int8` prints the accuracy cost; `kindling deploy --run` works on it).
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/studio.js'
import { seededRandom } from '../../../src/main/train/index.js'
import type { Params, StudioEvent } from '../../../src/shared/api.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'
import { finished, request } from '../train/helpers.js'
import { ensureRunnerBuilt } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_TRAIN_WORKERS = '1'
const SIZE = 40
const PHOTOS = 24

/** A red or blue square on grey noise, as raw RGB (also what the models are fed, stretched to their input). */
function squarePixels(red: boolean, random: () => number): Buffer {
  const data = Buffer.alloc(SIZE * SIZE * 3)
  for (let i = 0; i < data.length; i++) data[i] = 100 + Math.floor(random() * 56)
  const side = Math.floor(SIZE * (0.45 + random() * 0.3))
  const [x0, y0] = [Math.floor(random() * (SIZE - side)), Math.floor(random() * (SIZE - side))]
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data.set(red ? [220, 30, 30] : [30, 30, 220], (y * SIZE + x) * 3)
  return data
}

let home: string | undefined
const studio = new Studio()
let project: string
let runId: number
let runName: string
let photo: string

beforeAll(async () => {
  home = process.env.KINDLING_HOME
  process.env.KINDLING_HOME = tempDir('kindling-home-')
  ensureRunnerBuilt()
  const photos = tempDir('kindling-squares-')
  const random = seededRandom(7)
  for (let i = 0; i < PHOTOS; i++) {
    const file = path.join(photos, `square-${String(i).padStart(2, '0')}.png`)
    await sharp(squarePixels(i % 2 === 0, random), { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .png()
      .toFile(file)
  }
  photo = path.join(photos, 'square-00.png')
  project = tempDir('kindling-project-')
  await studio.openProject(project, { create: true })
  expect((await studio.importFolder(photos).finished).state).toBe('done')
  const store = studio.project!
  for (const image of store.page({ sort: 'name', offset: 0, limit: 100 }).items) {
    store.tagTable.put({ imageId: image.id, name: 'red', value: Number(image.name.slice(7, 9)) % 2 === 0, source: 'imported' })
  }
  const started = await request(studio, 'train.start', { preset: 'mobilenet-classifier-160', tag: 'red', epochs: 1, batchSize: 8, seed: 1 })
  expect((await finished(studio, started.jobId)).state).toBe('done')
  runId = started.runId
  runName = (await request(studio, 'runs.get', { runId })).run.name
}, 120_000)
afterAll(async () => {
  await studio.close()
  if (home === undefined) delete process.env.KINDLING_HOME
  else process.env.KINDLING_HOME = home
})

/** Start a deployment and wait for its end. */
function deployed(params: Params<'deploy.start'>) {
  const samples: number[] = []
  return request(studio, 'deploy.start', params).then(
    ({ deploymentId }) =>
      new Promise<{ deployment: StudioEvent & { event: 'deploy.changed' }; samples: number[] }>((resolve) => {
        const check = (e: StudioEvent) => {
          if (e.event === 'deploy.sample' && e.payload.deploymentId === deploymentId) samples.push(e.payload.ms)
          if (e.event === 'deploy.changed' && e.payload.id === deploymentId && e.payload.phase === 'finished') {
            studio.off('event', check)
            resolve({ deployment: e as never, samples })
          }
        }
        studio.on('event', check)
      }),
  )
}

describe('a classifier run', () => {
  it('exports as ONNX and TF.js answering with class probabilities, which ONNX Runtime computes as the checkpoint does', async () => {
    const { jobId } = await request(studio, 'export.start', { runId })
    expect(await finished(studio, jobId)).toMatchObject({ kind: 'export', state: 'done' })
    const [exported] = await request(studio, 'export.list', { runId })
    expect(exported).toMatchObject({ runId, epoch: 1, int8: null, dir: path.join(project, 'exports', `run-${runId}-epoch-1`) })
    expect(exported.files.map((f) => f.name)).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.json', 'model.onnx'])
    const description = JSON.parse(fs.readFileSync(path.join(exported.dir, 'detector.json'), 'utf8'))
    expect(description).toMatchObject({
      format: 'kindling-classifier',
      task: 'classify',
      origin: { runId, epoch: 1 },
      classes: ['not red', 'red'],
      input: { name: 'image', shape: [1, 160, 160, 3], layout: 'NHWC' },
      outputs: { classProbabilities: { shape: [1, 2] } },
      config: { task: 'classify', name: 'mobilenet-classifier-160' },
    })

    const { data } = await sharp(photo)
      .resize({ width: 160, height: 160, fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    const shape = [1, 160, 160, 3]
    const pixels = Float32Array.from(data)
    const session = await ort.InferenceSession.create(path.join(exported.dir, 'model.onnx'), { intraOpNumThreads: 1 })
    expect([session.inputNames, session.outputNames]).toEqual([['image'], ['classProbabilities']])
    const got = (await session.run({ image: new ort.Tensor('float32', pixels, shape) })).classProbabilities
    await session.release()
    const checkpoint = await tfl.loadLayersModel(modelFolder((await request(studio, 'runs.get', { runId })).run.bestCheckpoint!))
    const expected = tf.tidy(() => tf.softmax(checkpoint.predict(tf.tensor(pixels, shape)) as tf.Tensor).dataSync())
    checkpoint.dispose()
    expect(got.dims).toEqual([1, 2])
    const probabilities = Array.from(got.data as Float32Array)
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5)
    probabilities.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-4))
    // The export's TF.js model answers with the same probabilities.
    const exportedTfjs = await tfl.loadLayersModel(modelFolder(exported.dir))
    const tfjs = tf.tidy(() => (exportedTfjs.predict(tf.tensor(pixels, shape)) as tf.Tensor).dataSync())
    exportedTfjs.dispose()
    tfjs.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-5))
  }, 120_000)

  it('exports with int8, its cost the val accuracy fp32 → int8, and deploys at int8: the runner times model.int8.onnx', async () => {
    const { jobId } = await request(studio, 'export.start', { runId, int8: true })
    expect(await finished(studio, jobId)).toMatchObject({ kind: 'export', state: 'done' })
    const [exported] = await request(studio, 'export.list', { runId })
    expect(exported.files.map((f) => f.name)).toContain('model.int8.onnx')
    const counts = await request(studio, 'train.counts', { labels: 'all', tag: 'red' })
    expect(exported.int8).toMatchObject({
      metric: 'accuracy',
      valPhotos: counts.val,
      fp32Accuracy: expect.any(Number),
      int8Accuracy: expect.any(Number),
      fp32Ap50: null,
      int8Ap50: null,
    })
    const description = JSON.parse(fs.readFileSync(path.join(exported.dir, 'detector.json'), 'utf8'))
    expect(description).toMatchObject({ task: 'classify', files: { onnxInt8: 'model.int8.onnx' }, int8: { metric: 'accuracy' } })

    const int8 = await deployed({ device: 'this-computer', runId, iterations: 3, warmup: 1, precision: 'int8' })
    expect(int8.deployment.payload).toMatchObject({
      state: 'done',
      message: null,
      samples: 3,
      runtime: 'onnx',
      precision: 'int8',
      fallback: null,
      run: { id: runId, name: runName, epoch: 1 },
    })
    expect(int8.deployment.payload.info).toMatchObject({ task: 'classify', classes: ['not red', 'red'] })
    expect(int8.samples).toHaveLength(3)
    expect(int8.deployment.payload.summary!.p50Ms).toBeGreaterThan(0)
  }, 120_000)

  it('deploys to This computer by its run id: timed like a detector, samples streamed, on ONNX Runtime and on TF.js', async () => {
    const onnx = await deployed({ device: 'this-computer', runId, iterations: 3, warmup: 1 })
    expect(onnx.deployment.payload).toMatchObject({
      state: 'done',
      message: null,
      samples: 3,
      runtime: 'onnx',
      precision: 'fp32',
      fallback: null,
      run: { id: runId, name: runName, epoch: 1 },
    })
    expect(onnx.deployment.payload.info).toMatchObject({ task: 'classify', classes: ['not red', 'red'], inputShape: [1, 160, 160, 3] })
    expect(onnx.samples).toHaveLength(3)
    expect(onnx.deployment.payload.summary).toMatchObject({ samples: 3, p50Ms: expect.any(Number), p90Ms: expect.any(Number) })
    expect(onnx.deployment.payload.summary!.p50Ms).toBeGreaterThan(0)

    const tfjs = await deployed({ device: 'this-computer', runId, iterations: 2, warmup: 0, runtime: 'tfjs' })
    expect(tfjs.deployment.payload).toMatchObject({ state: 'done', samples: 2, runtime: 'tfjs', threads: 1 })
    expect(tfjs.deployment.payload.info).toMatchObject({ task: 'classify', classes: ['not red', 'red'] })

    // "Compare with random weights": the same layers freshly initialised, a one-off.
    const random = await deployed({
      device: 'this-computer',
      runId,
      iterations: 2,
      warmup: 0,
      randomWeights: true,
      compareWith: onnx.deployment.payload.id,
    })
    expect(random.deployment.payload).toMatchObject({ state: 'done', samples: 2, randomWeights: true, comparedWith: onnx.deployment.payload.id })
    expect(random.deployment.payload.info).toMatchObject({ task: 'classify' })
  }, 120_000)

  it('kindling export-model (--int8 printing the accuracy cost) and kindling deploy --run take it from the command line', async () => {
    await studio.close()
    const kindling = (...args: string[]) =>
      promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], {
        env: { ...process.env, KINDLING_BACKEND: 'wasm' },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      )
    const out = path.join(tempDir(), 'for-the-pi')
    const exported = await kindling('export-model', '--project', project, '--run', String(runId), '--format', 'onnx', '--out', out)
    expect(exported.stderr).toBe('')
    expect(exported.stdout).toMatch(/^RESULT \{.*"files":\["detector.json","model.onnx"\]/m)
    expect(JSON.parse(fs.readFileSync(path.join(out, 'detector.json'), 'utf8'))).toMatchObject({ task: 'classify' })
    // An earlier classifier export may be replaced by the next.
    expect((await kindling('export-model', '--project', project, '--run', String(runId), '--out', out)).code).toBe(0)

    const int8Out = path.join(tempDir(), 'x')
    const int8 = await kindling('export-model', '--project', project, '--run', String(runId), '--int8', '--out', int8Out)
    expect(int8.code).toBe(0)
    expect(int8.stdout).toMatch(/^int8: scoring fp32 and int8 on the val photos tagged red \(set or not\)$/m)
    expect(int8.stdout).toMatch(/^int8 on \d+ val photos: accuracy \d\.\d{3} → \d\.\d{3} \([+-]\d\.\d{3}\)$/m)
    const result = JSON.parse(int8.stdout.match(/^RESULT (.*)$/m)![1])
    expect(result.files).toContain('model.int8.onnx')
    expect(result.int8).toMatchObject({ metric: 'accuracy', fp32Accuracy: expect.any(Number), int8Accuracy: expect.any(Number) })
    expect(JSON.parse(fs.readFileSync(path.join(int8Out, 'detector.json'), 'utf8')).int8).toEqual(result.int8)

    const deploy = await kindling(
      'deploy',
      '--project',
      project,
      '--device',
      'this-computer',
      '--run',
      String(runId),
      '--iterations',
      '2',
      '--warmup',
      '0',
    )
    expect(deploy.code).toBe(0)
    expect(deploy.stdout).toMatch(/^run ".+" \(epoch 1\) on this-computer: 2 inferences timed/m)
    expect(deploy.stdout).toMatch(/^RESULT \{"device":"this-computer","samples":2,"p50Ms":\d/m)
  }, 120_000)
})
