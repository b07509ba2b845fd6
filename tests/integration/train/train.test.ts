// Training runs through the studio API on real photos (dlib-faces with its human boxes), on the wasm backend with the
// fastest preset, small batches and one or two epochs: a run trains, records and emits its steps and evaluations,
// leaves a checkpoint that loads back; cancel keeps checkpoints and resume finishes the run; an unlabelled project is
// refused; a studio that stopped mid-run shows the run failed and resumable. Runs train data-parallel over 2 replicas on
// worker threads (KINDLING_TRAIN_WORKERS, whatever the machine's cores): checkpoints, evaluation and resume go through
// the replicas' weights (the CLI test trains on one thread).
import fs from 'node:fs'
import path from 'node:path'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { PI_PRESET } from '../../../src/shared/api.js'
import { Studio } from '../../../src/main/studio.js'
import { INTERRUPTED_MESSAGE } from '../../../src/main/store/index.js'
import { DETECTOR_JSON, FINAL_LR_FRACTION, PROVISIONAL_SCHEDULE, rateAt } from '../../../src/main/train/index.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'
import { FAST_PRESET, finished, labelledProject, record, request } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_TRAIN_WORKERS = '2'
const studio = new Studio()
let project: string
beforeAll(async () => {
  await initEngine({ backend: 'wasm' }) // for loading checkpoints back in this thread
  project = await labelledProject(studio)
}, 60_000)
afterAll(() => studio.close())

describe('train.start', () => {
  it('trains a run to the end: steps and evals stored and emitted, the best checkpoint loads back', async () => {
    const events = record(studio)
    const { jobId, runId } = await request(studio, 'train.start', {
      preset: FAST_PRESET,
      epochs: 2,
      batchSize: 4,
      seed: 7,
      name: 'first',
    })
    const progress = await finished(studio, jobId)
    events.stop()
    expect(progress).toMatchObject({ kind: 'train', state: 'done' })

    const { run, steps, evals } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ name: 'first', preset: FAST_PRESET, state: 'done', error: null, backend: 'wasm × 2 workers', classes: ['face'] })
    expect(run.trainImages).toBeGreaterThan(4)
    expect(run.valImages).toBeGreaterThan(0)
    expect(run.steps).toBe(2 * Math.ceil(run.trainImages / 4))
    expect(run.step).toBe(run.steps)
    expect(run.epoch).toBe(2)
    expect(progress).toMatchObject({ done: run.steps, total: run.steps })
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: run.steps }, (_, i) => i + 1))
    for (const s of steps) {
      expect(Number.isFinite(s.loss)).toBe(true)
      expect(s.learningRate).toBeGreaterThan(0)
    }
    expect(evals.map((e) => e.epoch)).toEqual([1, 2])
    expect(events.of('run.step').map((s) => s.step)).toEqual(steps.map((s) => s.step))
    expect(events.of('run.eval').map((e) => e.epoch)).toEqual([1, 2])
    expect(events.of('run.changed').at(-1)).toMatchObject({ id: runId, state: 'done' })

    // The best and the last checkpoint are kept, nothing else.
    const runFolder = path.join(project, 'runs', String(runId))
    const kept = fs.readdirSync(runFolder).sort()
    expect(kept).toEqual([...new Set([path.basename(run.bestCheckpoint!), 'epoch-2'])].sort())
    const detector = JSON.parse(fs.readFileSync(path.join(run.bestCheckpoint!, DETECTOR_JSON), 'utf8'))
    expect(detector).toMatchObject({ runId, classes: ['face'], config: { name: FAST_PRESET, classes: ['face'] } })
    const model = await tfl.loadLayersModel(modelFolder(run.bestCheckpoint!))
    expect(model.inputs[0].shape).toEqual([null, 240, 320, 3])
    expect(model.outputNames).toEqual(['classLogits', 'boxOffsets'])
    model.dispose()

    const list = await request(studio, 'runs.list', {})
    expect(list.map((r) => r.id)).toContain(runId)
    // The presets as the Train page offers them: the Pi's first, starting from the face backbone that fits it.
    const presets = await request(studio, 'train.presets', {})
    // Each with what the studio knows: its cost a frame, and the benches' training step and latency where measured.
    expect(presets[0]).toEqual({
      name: PI_PRESET,
      task: 'detect',
      recommended: true,
      inits: ['face-api-ssd-mobilenetv1', 'random'],
      input: '320×240',
      params: 5_821_228,
      macs: 1_015_229_440,
      training: { stepSeconds: 2.29, relativeToPi: 1, bench: expect.stringContaining('bench -- train') },
      latency: { fp32Ms: 12.1, int8Ms: 9, bench: expect.stringContaining('bench -- runtimes') },
    })
    expect(presets.find((p) => p.name === FAST_PRESET)).toMatchObject({
      name: FAST_PRESET,
      recommended: false,
      inits: ['random'],
      training: { stepSeconds: 1.95, relativeToPi: 0.85 },
    })
    expect(presets.find((p) => p.name === 'resnet18-ssd-300')).toMatchObject({ macs: 3_498_311_424, training: null, latency: null })
    expect(presets.filter((p) => p.recommended)).toHaveLength(1)
    // The whole-image classifiers come after the detectors, AlexNet's first; neither fits a pretrained start.
    expect(presets.filter((p) => p.task === 'classify').map((p) => [p.name, p.inits])).toEqual([
      ['alexnet-classifier', ['random']],
      ['mobilenet-classifier-160', ['random']],
    ])
    expect(presets.findIndex((p) => p.task === 'classify')).toBe(presets.filter((p) => p.task === 'detect').length)
    // A run that names no init stores the preset's default.
    expect(run.settings.init).toBe('random')
    // The Train page's count by split is what the run took: its train photos, its val photos.
    const counts = await request(studio, 'train.counts', { labels: run.settings.labels })
    expect(counts.train - counts.heldOut).toBe(run.trainImages)
    expect(counts.val + counts.heldOut).toBe(run.valImages)
  }, 120_000)

  it('cancel ends the run cancelled with its checkpoints; train.resume finishes it', async () => {
    const events = record(studio)
    const { jobId, runId } = await request(studio, 'train.start', { preset: FAST_PRESET, epochs: 2, batchSize: 4, seed: 3, augment: false })
    // Cancel as soon as the first epoch's checkpoint is scored.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.of('run.eval').length > 0) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    expect(await request(studio, 'jobs.cancel', { jobId })).toEqual({ cancelled: true })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'cancelled' })
    const cancelled = (await request(studio, 'runs.get', { runId })).run
    expect(cancelled.state).toBe('cancelled')
    expect(cancelled.step).toBeLessThan(cancelled.steps)
    expect(fs.existsSync(path.join(project, 'runs', String(runId), 'epoch-1', 'model.json'))).toBe(true)

    const resumed = await request(studio, 'train.resume', { runId })
    expect(resumed.runId).toBe(runId)
    expect(await finished(studio, resumed.jobId)).toMatchObject({ state: 'done' })
    events.stop()
    const { run, steps, evals } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ state: 'done', step: run.steps, epoch: 2, error: null })
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: run.steps }, (_, i) => i + 1))
    expect(evals.map((e) => e.epoch)).toEqual([1, 2])
    await expect(request(studio, 'train.resume', { runId })).rejects.toThrow(`run ${runId} has finished all its epochs`)
  }, 120_000)

  it('a run of half a minute plans its steps, reports its ETA, and ends evaluated within seconds of its budget', async () => {
    const events = record(studio)
    const started = Date.now()
    const { jobId, runId } = await request(studio, 'train.start', { preset: FAST_PRESET, minutes: 0.5, batchSize: 2, seed: 5 })
    const progress = await finished(studio, jobId)
    const took = Date.now() - started
    events.stop()
    expect(progress).toMatchObject({ kind: 'train', state: 'done' })
    // On time: not after the budget (the last evaluation is planned in), nor more than a step and an evaluation before.
    expect(took).toBeGreaterThan(30_000 - 8000)
    expect(took).toBeLessThan(30_000 + 3000)

    const { run, steps, evals } = await request(studio, 'runs.get', { runId })
    expect(run.settings).toMatchObject({ minutes: 0.5 })
    expect(run.settings.epochs).toBeUndefined()
    // It trained the steps it last planned, and its last evaluation (its checkpoint) is of its last step.
    expect(run.step).toBe(run.steps)
    expect(steps.at(-1)!.step).toBe(run.step)
    expect(evals.at(-1)).toMatchObject({ step: run.step })
    expect(fs.existsSync(path.join(evals.at(-1)!.checkpoint, 'model.json'))).toBe(true)
    expect(run.bestCheckpoint).not.toBeNull()
    // The schedule was sized to the plan: warmed up to the base rate, then only down, to its floor at the last step
    // (unless the plan was so short, on a busy machine, that the warm-up ends at it). A machine that got busier near
    // the end may stop the run a step or two before its plan (the clock wins): the rate is then in the last stretch of
    // its decay, never near the base rate where a schedule sized to the default epochs would still be.
    const rates = steps.map((s) => s.learningRate)
    const peak = rates.indexOf(Math.max(...rates))
    expect(rates[peak]).toBeCloseTo(1e-3, 9)
    // (A plan that reached its floor and was then lengthened by a faster pace stays at the floor.)
    const floor = 1e-3 * FINAL_LR_FRACTION
    for (let i = peak + 1; i < rates.length; i++) {
      if (rates[i - 1] > floor * (1 + 1e-9)) expect(rates[i]).toBeLessThan(rates[i - 1])
      else expect(rates[i]).toBeCloseTo(floor, 12)
    }
    if (peak < rates.length - 1) {
      expect(rates.at(-1)).toBeGreaterThanOrEqual(1e-5 - 1e-12)
      expect(rates.at(-1)).toBeLessThan(0.25 * 1e-3)
    }
    // The job said how long was left from the start, counting down to the end.
    const etas = events.of('job.progress').filter((p) => p.jobId === jobId && p.state === 'running' && p.etaMs !== null)
    expect(etas.length).toBeGreaterThan(2)
    expect(etas[0].etaMs!).toBeGreaterThan(20_000)
    expect(etas.at(-1)!.etaMs!).toBeLessThan(10_000)
    await expect(request(studio, 'train.resume', { runId })).rejects.toThrow(`run ${runId} has finished its time`)
    await expect(request(studio, 'train.start', { preset: FAST_PRESET, minutes: 1, epochs: 2 })).rejects.toThrow(
      'invalid: train for a number of epochs or of minutes, not both',
    )
  }, 120_000)

  it('a cancelled budget run resumes with the time it had left at its last checkpoint', async () => {
    const events = record(studio)
    const { jobId, runId } = await request(studio, 'train.start', { preset: FAST_PRESET, minutes: 0.5, batchSize: 2, seed: 9 })
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.of('run.eval').some((e) => e.runId === runId)) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    await request(studio, 'jobs.cancel', { jobId })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'cancelled' })
    const before = await request(studio, 'runs.get', { runId })
    const checkpoint = before.evals.at(-1)!
    const info = JSON.parse(fs.readFileSync(path.join(checkpoint.checkpoint, DETECTOR_JSON), 'utf8'))
    const used = info.elapsedMs as number
    expect(used).toBeGreaterThan(0)
    expect(used).toBeLessThan(30_000)

    const started = Date.now()
    const resumed = await request(studio, 'train.resume', { runId })
    expect(await finished(studio, resumed.jobId)).toMatchObject({ state: 'done' })
    const took = Date.now() - started
    events.stop()
    expect(took).toBeLessThan(30_000 - used + 3000)
    const { run, steps } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ state: 'done', step: run.steps })
    // The steps go on from the checkpoint's, and the rate from where the schedule was there (no restart of the warm-up).
    const after = steps.filter((s) => s.step > checkpoint.step)
    expect(after[0].step).toBe(checkpoint.step + 1)
    expect(after[0].learningRate).toBeCloseTo(rateAt(info.schedule, checkpoint.step + 1, 1e-3), 12)
    expect(after[0].learningRate).not.toBeCloseTo(rateAt(PROVISIONAL_SCHEDULE, checkpoint.step + 1, 1e-3), 9)
  }, 120_000)

  it('refuses a project with no labelled photos, recording nothing', async () => {
    const other = new Studio()
    try {
      await other.openProject(tempDir(), { create: true })
      await other.importFolder(dlibFaces).finished
      await expect(request(other, 'train.start', { preset: FAST_PRESET })).rejects.toThrow(
        'invalid: cannot train: no labelled photos in the train split (the project has no labelled photos yet)',
      )
      expect(await request(other, 'runs.list', {})).toEqual([])
      expect(await request(other, 'train.counts', { labels: 'all' })).toEqual({ train: 0, val: 0, test: 0, heldOut: 0 })
      await expect(request(other, 'train.start', { preset: 'no-such-preset' })).rejects.toThrow('no preset is called "no-such-preset"')
    } finally {
      await other.close()
    }
  })

  it('a run left running when the studio stopped is failed on the next open, and resumable', async () => {
    const [runId, otherId] = (await request(studio, 'runs.list', {})).map((r) => r.id)
    studio.project!.db.prepare("UPDATE runs SET state = 'running', ended_at = NULL, pid = 2147483646 WHERE id = ?").run(runId)
    // Another live process training this project (a `kindling train` beside the studio): not stale.
    studio.project!.db.prepare("UPDATE runs SET state = 'running', ended_at = NULL, pid = ? WHERE id = ?").run(process.ppid, otherId)
    const again = new Studio()
    try {
      await studio.close()
      await again.openProject(project)
      const run = (await request(again, 'runs.get', { runId })).run
      expect(run).toMatchObject({ state: 'failed', error: INTERRUPTED_MESSAGE })
      expect(run.endedAt).not.toBeNull()
      expect((await request(again, 'runs.get', { runId: otherId })).run.state).toBe('running')
      // Resumable: the resume is accepted (and cancelled at once, to keep the test short).
      const { jobId } = await request(again, 'train.resume', { runId })
      await request(again, 'jobs.cancel', { jobId })
      await finished(again, jobId)
    } finally {
      await again.close()
    }
  })
})
