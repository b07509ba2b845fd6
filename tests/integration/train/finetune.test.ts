// "Fine-tune with new classes": from a tiny trained face detector (dlib-faces' photos and human boxes), a run that adds
// smiling-face, made at load time from the face boxes whose `smiling` attribute is true — the project's boxes stay as
// they were. The new run records its parent and the parent's epoch, trains the parent's preset with one more class, and
// with its backbone frozen for its one epoch keeps the parent's backbone exactly while its head learns.
import fs from 'node:fs'
import path from 'node:path'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { Studio } from '../../../src/main/studio.js'
import { FROZEN_THROUGHOUT } from '../../../src/shared/api.js'
import { DETECTOR_JSON } from '../../../src/main/train/index.js'
import { parseTrainArgs } from '../../../src/main/server/commands/train.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { FAST_PRESET, finished, record, request, trainedProject } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_TRAIN_WORKERS = '2'
const studio = new Studio()
let parentId: number
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  parentId = (await trainedProject(studio)).runId
  // As `kindling kindle --smile` leaves them: every other face smiling.
  studio
    .project!.db.prepare(
      `UPDATE boxes SET attributes = json_object('smiling', json_object('value', json(CASE WHEN id % 2 = 0 THEN 'true' ELSE 'false' END),
       'score', 0.9, 'source', 'kindled'))`,
    )
    .run()
}, 180_000)
afterAll(() => studio.close())

const SMILING = { 'smiling-face': { from: 'face', attribute: 'smiling' } }
const weightsOf = async (dir: string) => {
  const model = await tfl.loadLayersModel(modelFolder(dir))
  const byLayer = new Map(model.layers.map((l) => [l.name, l.getWeights().map((w) => Array.from(w.dataSync()))]))
  const shape = model.outputs[0].shape
  model.dispose()
  return { byLayer, shape }
}

describe('fine-tuning with a class made from an attribute', () => {
  it('records its parent, trains C+1 classes from the parent’s weights and leaves the project’s boxes alone', { timeout: 300_000 }, async () => {
    const boxesBefore = studio.project!.db.prepare('SELECT id, class_id, x, y, w, h FROM boxes ORDER BY id').all()
    const { jobId, runId } = await request(studio, 'train.start', {
      preset: 'ignored: the parent’s',
      from: { runId: parentId },
      classes: ['face', 'smiling-face'],
      classMap: SMILING,
      freezeBackboneEpochs: 1,
      epochs: 1,
      batchSize: 4,
      seed: 3,
      augment: false,
    })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'done' })
    const { run } = await request(studio, 'runs.get', { runId })
    const parent = (await request(studio, 'runs.get', { runId: parentId })).run
    expect(run).toMatchObject({ state: 'done', preset: FAST_PRESET, classes: ['face', 'smiling-face'] })
    expect(run.parent).toEqual({ runId: parentId, epoch: 1, name: parent.name })
    expect(run.name).toBe(`${parent.name} + smiling-face`)
    expect((await request(studio, 'runs.list', {})).find((r) => r.id === runId)?.parent?.runId).toBe(parentId)

    const info = JSON.parse(fs.readFileSync(path.join(run.bestCheckpoint!, DETECTOR_JSON), 'utf8'))
    expect(info.classes).toEqual(['face', 'smiling-face'])
    expect(info.config.classes).toEqual(['face', 'smiling-face'])
    const child = await weightsOf(run.bestCheckpoint!)
    const from = await weightsOf(parent.bestCheckpoint!)
    expect(child.shape.at(-1)).toBe(3)
    expect(from.shape.at(-1)).toBe(2)
    // Frozen for its only epoch: the parent's backbone, bit for bit, and — the new class being made from the parent's
    // face boxes — its box predictors too (tests/integration/train/cached-head.test.ts: the class predictors learn).
    for (const layer of ['conv1', 'conv3', 'conv5', 'head0_box', 'head1_box']) {
      expect(child.byLayer.get(layer), layer).toEqual(from.byLayer.get(layer))
    }

    expect(studio.project!.db.prepare('SELECT id, class_id, x, y, w, h FROM boxes ORDER BY id').all()).toEqual(boxesBefore)
    expect(studio.project!.classes().map((c) => c.name)).toEqual(['face'])
  })

  it('resumes a fine-tune cancelled before its first checkpoint from the parent again', { timeout: 300_000 }, async () => {
    const events = record(studio)
    const { jobId, runId } = await request(studio, 'train.start', {
      preset: FAST_PRESET,
      from: { runId: parentId },
      classMap: SMILING,
      // Frozen, the head trains on kept maps in a blink: the first checkpoint is two epochs away, after the cancel.
      freezeBackboneEpochs: 2,
      epochs: 2,
      evalEvery: 2,
      batchSize: 4,
      seed: 5,
      augment: false,
    })
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.of('run.step').length > 0) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    await request(studio, 'jobs.cancel', { jobId })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'cancelled' })
    events.stop()
    expect((await request(studio, 'runs.get', { runId })).run.bestCheckpoint).toBeNull()

    const resumed = await request(studio, 'train.resume', { runId })
    expect(await finished(studio, resumed.jobId)).toMatchObject({ state: 'done' })
    const { run } = await request(studio, 'runs.get', { runId })
    const parent = (await request(studio, 'runs.get', { runId: parentId })).run
    expect(run).toMatchObject({ state: 'done', classes: ['face', 'smiling-face'], parent: { runId: parentId, epoch: 1 } })
    // Started from the parent again (not from random weights): its frozen backbone is the parent's.
    const child = await weightsOf(run.bestCheckpoint!)
    const from = await weightsOf(parent.bestCheckpoint!)
    expect(child.byLayer.get('conv2')).toEqual(from.byLayer.get('conv2'))
  })

  it('refuses a class list that drops the parent’s class, a class the project cannot supply, and a missing parent', async () => {
    await expect(
      request(studio, 'train.start', { preset: FAST_PRESET, from: { runId: parentId }, classes: ['smiling-face'], classMap: SMILING }),
    ).rejects.toThrow(/keeps its parent's classes \(face\); missing: face/)
    await expect(request(studio, 'train.start', { preset: FAST_PRESET, from: { runId: parentId }, classes: ['face', 'hand'] })).rejects.toThrow(
      /the project has no class hand/,
    )
    await expect(
      request(studio, 'train.start', {
        preset: FAST_PRESET,
        from: { runId: parentId },
        classMap: { 'smiling-face': { from: 'face', attribute: 'waving' } },
      }),
    ).rejects.toThrow(/no face box in the train split has waving true/)
    await expect(request(studio, 'train.start', { preset: FAST_PRESET, from: { runId: 999 } })).rejects.toThrow(/cannot fine-tune: no run 999/)
    await expect(request(studio, 'train.start', { preset: FAST_PRESET, from: { runId: parentId, epoch: 5 } })).rejects.toThrow(
      /has no checkpoint of epoch 5/,
    )
  })
})

describe('kindling train --from', () => {
  it('reads the parent, its epoch, the classes, the attribute mapping and the frozen epochs', () => {
    const { settings } = parseTrainArgs([
      '--project',
      '/p',
      '--from',
      '4',
      '--epoch',
      '2',
      '--classes',
      'face,smiling-face',
      '--from-attribute',
      'smiling-face=face+smiling',
      '--freeze-backbone',
      '1',
      '--minutes',
      '10',
    ])
    expect(settings).toMatchObject({
      from: { runId: 4, epoch: 2 },
      classes: ['face', 'smiling-face'],
      classMap: SMILING,
      freezeBackboneEpochs: 1,
      minutes: 10,
    })
    expect(parseTrainArgs(['--project', '/p', '--from', '4', '--freeze-backbone', 'all']).settings.freezeBackboneEpochs).toBe(FROZEN_THROUGHOUT)
  })

  it('says what is wrong with a fine-tune’s flags', () => {
    expect(() => parseTrainArgs(['--project', '/p', '--freeze-backbone', '1'])).toThrow(
      '--freeze-backbone fine-tunes a run: give --from RUN too',
    )
    expect(() => parseTrainArgs(['--project', '/p', '--from', '1', '--from-attribute', 'smiling-face'])).toThrow(
      '--from-attribute: NEW=CLASS+ATTRIBUTE, e.g. smiling-face=face+smiling, not "smiling-face"',
    )
    expect(() => parseTrainArgs(['--project', '/p', '--from', 'best'])).toThrow('--from must be a whole number, not "best"')
    expect(() => parseTrainArgs(['--project', '/p', '--from', '1', '--preset', FAST_PRESET])).toThrow(/--preset and --from/)
  })
})
