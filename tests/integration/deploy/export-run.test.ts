// Exporting a trained run through the studio API, as the Train page's Export does: a tiny run (the fast preset, one
// epoch on dlib-faces), then `export.start` writes its best checkpoint as ONNX and TF.js with detector.json into the
// project's exports/ folder; ONNX Runtime on the exported model.onnx computes what the checkpoint computes on a real
// photo; `export.list` finds it; `kindling export-model --run` does the same from the command line.
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
import type { StudioEvent } from '../../../src/shared/api.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { dlibFaces, repoRoot, tempDir } from '../../helpers/fixtures.js'
import { FAST_PRESET, finished, request, trainedProject } from '../train/helpers.js'
import { ensureRunnerBuilt } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
const studio = new Studio()
let project: string
let runId: number
beforeAll(async () => {
  ;({ project, runId } = await trainedProject(studio))
}, 120_000)
afterAll(() => studio.close())

/** The first dlib photo stretched to the model's input, as float32 RGB 0–255 (what the predictor feeds it). */
async function photoInput(width: number, height: number): Promise<Float32Array> {
  const photo = fs.readdirSync(dlibFaces).find((f) => f.endsWith('.jpg'))!
  const { data } = await sharp(path.join(dlibFaces, photo))
    .rotate()
    .resize({ width, height, fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return Float32Array.from(data)
}

describe('export.start', () => {
  it("writes the run's best checkpoint as ONNX and TF.js with detector.json, and ONNX Runtime computes what it computes", async () => {
    const { jobId } = await request(studio, 'export.start', { runId })
    await expect(request(studio, 'export.start', { runId })).rejects.toThrow(/conflict: an export is running/)
    expect(await finished(studio, jobId)).toMatchObject({ kind: 'export', state: 'done' })

    const [exported] = await request(studio, 'export.list', { runId })
    const run = (await request(studio, 'runs.get', { runId })).run
    expect(exported).toMatchObject({ runId, epoch: 1, int8: null, dir: path.join(project, 'exports', `run-${runId}-epoch-1`) })
    expect(exported.files.map((f) => f.name)).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.json', 'model.onnx'])
    expect(exported.sha256).toMatch(/^[0-9a-f]{64}$/)
    const description = JSON.parse(fs.readFileSync(path.join(exported.dir, 'detector.json'), 'utf8'))
    expect(description).toMatchObject({ origin: { runId, epoch: 1 }, classes: ['face'], config: { name: FAST_PRESET } })
    expect(run.bestCheckpoint).toBeTruthy()

    const [height, width] = [description.input.shape[1], description.input.shape[2]]
    const pixels = await photoInput(width, height)
    const shape = [1, height, width, 3]
    const session = await ort.InferenceSession.create(path.join(exported.dir, 'model.onnx'), { intraOpNumThreads: 1 })
    const got = await session.run({ image: new ort.Tensor('float32', pixels, shape) })
    await session.release()
    const checkpoint = await tfl.loadLayersModel(modelFolder(run.bestCheckpoint!))
    const expected = tf.tidy(() => (checkpoint.predict(tf.tensor(pixels, shape)) as tf.Tensor[]).map((t) => t.dataSync()))
    checkpoint.dispose()
    ;['classLogits', 'boxOffsets'].forEach((name, i) => {
      const a = got[name].data as Float32Array
      const scale = Math.max(...expected[i].map(Math.abs))
      const diff = Math.max(...a.map((v, k) => Math.abs(v - expected[i][k])))
      expect(diff / scale).toBeLessThan(1e-4)
    })
  }, 120_000)

  it('with int8: model.int8.onnx calibrated on the train photos, and fp32 and int8 scored on val before anyone deploys it', async () => {
    const { jobId } = await request(studio, 'export.start', { runId, int8: true, calibrationPhotos: 8 })
    const messages: string[] = []
    studio.on('event', (e) => {
      if (e.event === 'job.progress' && e.payload.jobId === jobId && e.payload.message) messages.push(e.payload.message)
    })
    expect(await finished(studio, jobId)).toMatchObject({ kind: 'export', state: 'done' })
    expect(messages.some((m) => m.startsWith('int8: scoring fp32 and int8 on the val split'))).toBe(true)
    const [exported] = await request(studio, 'export.list', { runId })
    expect(exported.files.map((f) => f.name)).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.int8.onnx', 'model.json', 'model.onnx'])
    const store = studio.project!
    const val = store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM images WHERE split = 'val'").get()!.n
    expect(exported.int8).toMatchObject({ calibrationPhotos: expect.any(Number), valPhotos: val })
    expect(exported.int8!.calibrationPhotos).toBeGreaterThan(0)
    expect(exported.int8!.calibrationPhotos).toBeLessThanOrEqual(8)
    for (const ap of [exported.int8!.fp32Ap50, exported.int8!.int8Ap50]) expect(ap).toBeGreaterThanOrEqual(0)
    const description = JSON.parse(fs.readFileSync(path.join(exported.dir, 'detector.json'), 'utf8'))
    expect(description.files.onnxInt8).toBe('model.int8.onnx')
    expect(description.int8).toEqual(exported.int8)
    // A smaller file that ONNX Runtime runs, with the float model's interface.
    const int8Bytes = exported.files.find((f) => f.name === 'model.int8.onnx')!.bytes
    expect(int8Bytes).toBeLessThan(exported.files.find((f) => f.name === 'model.onnx')!.bytes / 2)
    const session = await ort.InferenceSession.create(path.join(exported.dir, 'model.int8.onnx'))
    expect([session.inputNames, session.outputNames]).toEqual([['image'], ['classLogits', 'boxOffsets']])
    await session.release()
  }, 180_000)

  it("deploys the run's checkpoint (TF.js only) on ONNX Runtime: the deployment exports it with model.onnx first", async () => {
    ensureRunnerBuilt()
    const checkpoint = (await request(studio, 'runs.get', { runId })).run.bestCheckpoint!
    expect(fs.existsSync(path.join(checkpoint, 'model.onnx'))).toBe(false)
    const { deploymentId } = await request(studio, 'deploy.start', { device: 'this-computer', modelDir: checkpoint, iterations: 2, warmup: 0 })
    const done = await new Promise<StudioEvent & { event: 'deploy.changed' }>((resolve) => {
      const check = (e: StudioEvent) => {
        if (e.event === 'deploy.changed' && e.payload.id === deploymentId && e.payload.phase === 'finished') resolve(e as never)
      }
      studio.on('event', check)
    })
    expect(done.payload).toMatchObject({ state: 'done', samples: 2, runtime: 'onnx', fallback: null, model: checkpoint })
    // Given by its folder, the checkpoint is still the run's: history names the run, not the path.
    expect(done.payload.run).toMatchObject({ id: runId, epoch: 1 })
  }, 120_000)

  it("deploys a run by its id: its best checkpoint, recorded with the run's name and epoch; a comparison records its pair", async () => {
    ensureRunnerBuilt()
    const deployed = (params: Parameters<typeof request<'deploy.start'>>[2]) =>
      request(studio, 'deploy.start', params).then(
        ({ deploymentId }) =>
          new Promise<StudioEvent & { event: 'deploy.changed' }>((resolve) => {
            const check = (e: StudioEvent) => {
              if (e.event === 'deploy.changed' && e.payload.id === deploymentId && e.payload.phase === 'finished') {
                studio.off('event', check)
                resolve(e as never)
              }
            }
            studio.on('event', check)
          }),
      )
    const { run } = await request(studio, 'runs.get', { runId })
    const first = await deployed({ device: 'this-computer', runId, iterations: 2, warmup: 0 })
    expect(first.payload).toMatchObject({ state: 'done', samples: 2, runtime: 'onnx', run: { id: runId, name: run.name, epoch: 1 } })
    expect(first.payload.comparedWith).toBeNull()
    const second = await deployed({
      device: 'this-computer',
      runId,
      iterations: 2,
      warmup: 0,
      randomWeights: true,
      compareWith: first.payload.id,
    })
    expect(second.payload).toMatchObject({
      state: 'done',
      randomWeights: true,
      run: { id: runId, name: run.name },
      comparedWith: first.payload.id,
    })
    // History keeps both, named by the run.
    const history = await request(studio, 'deploy.history', { device: 'this-computer' })
    expect(history.slice(0, 2).map((d) => [d.run?.name, d.comparedWith])).toEqual([
      [run.name, first.payload.id],
      [run.name, null],
    ])
  }, 120_000)

  it('refuses to deploy a run that is not there, an epoch it has no checkpoint of, or a run with a preset', async () => {
    await expect(request(studio, 'deploy.start', { device: 'this-computer', runId: 999 })).rejects.toThrow(/not_found: no training run 999/)
    await expect(request(studio, 'deploy.start', { device: 'this-computer', runId, epoch: 9 })).rejects.toThrow(
      /not_found: run ".*" has no checkpoint of epoch 9/,
    )
    await expect(request(studio, 'deploy.start', { device: 'this-computer', runId, preset: FAST_PRESET })).rejects.toThrow(
      /give one of preset, modelDir or runId/,
    )
    await expect(request(studio, 'deploy.start', { device: 'this-computer', preset: FAST_PRESET, epoch: 1 })).rejects.toThrow(
      /give runId with it/,
    )
    await expect(request(studio, 'deploy.start', { device: 'this-computer', runId, compareWith: 9999 })).rejects.toThrow(
      /not_found: no deployment 9999 to compare with/,
    )
  })

  it('refuses a run without that checkpoint, or an int8 export without ONNX, naming the field', async () => {
    await expect(request(studio, 'export.start', { runId, epoch: 9 })).rejects.toThrow(/not_found: run \d+ has no checkpoint of epoch 9/)
    await expect(request(studio, 'export.start', { runId: 999 })).rejects.toThrow(/not_found: no run 999/)
    await expect(request(studio, 'export.start', { runId, formats: ['tfjs'], int8: true })).rejects.toThrow(/invalid: an int8 model is ONNX/)
    await expect(request(studio, 'export.start', { runId, formats: ['pb' as 'onnx'] })).rejects.toThrow(/formats/)
  })

  it('kindling export-model --run writes the same files where --out says', async () => {
    const out = path.join(tempDir(), 'for-the-pi')
    studio.close()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'bin/kindling.js'), 'export-model', '--project', project, '--run', String(runId), '--format', 'onnx', '--out', out],
      { env: { ...process.env, KINDLING_BACKEND: 'wasm' } },
    )
    const result = JSON.parse(
      stdout
        .trim()
        .split('\n')
        .at(-1)!
        .replace(/^RESULT /, ''),
    )
    expect(result).toMatchObject({ runId, epoch: 1, dir: out, files: ['detector.json', 'model.onnx'] })
    expect(fs.readdirSync(out).sort()).toEqual(['detector.json', 'model.onnx'])

    // A folder of other things is never emptied to make room: refused, untouched.
    const documents = tempDir()
    fs.writeFileSync(path.join(documents, 'thesis.txt'), 'mine')
    const refused = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'bin/kindling.js'), 'export-model', '--project', project, '--run', String(runId), '--out', documents],
      { env: { ...process.env, KINDLING_BACKEND: 'wasm' } },
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    )
    expect(refused?.code).toBe(1)
    expect(refused?.stderr).toContain('holds other files and is not an earlier export')
    expect(fs.readdirSync(documents)).toEqual(['thesis.txt'])
  }, 120_000)

  it('kindling deploy --run deploys the run by its id, named by the run; --epoch without --run is a usage error', async () => {
    ensureRunnerBuilt()
    const kindling = (...args: string[]) =>
      promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), 'deploy', '--project', project, ...args], {
        env: { ...process.env, KINDLING_BACKEND: 'wasm' },
      })
    const { stdout } = await kindling('--device', 'this-computer', '--run', String(runId), '--iterations', '2', '--warmup', '0')
    expect(stdout).toMatch(/^run ".+" \(epoch 1\) on this-computer: 2 inferences timed/m)
    expect(stdout).toMatch(/^RESULT \{"device":"this-computer","samples":2,/m)
    const usage = await kindling('--device', 'this-computer', '--preset', FAST_PRESET, '--epoch', '1').catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('give --run ID with it') })
  }, 120_000)
})
