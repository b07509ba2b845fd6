// Whole-image classifiers trained as runs through the studio API, on a synthetic task in a temp project: photos of a
// red or a blue square on grey noise, tagged `red` (set or not) as a label file would. A short run on the wasm backend
// must tell them apart on val (accuracy ≥ 0.9), store each evaluation's accuracy, per-class precision and recall and
// confusion matrix, pick its best checkpoint by accuracy, and never train or score on the test split; predicting
// writes `predicted` tags with the run and a score, under the photos' labels.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/studio.js'
import type { Store } from '../../../src/main/store/index.js'
import { loadTagDataset, seededRandom } from '../../../src/main/train/index.js'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'
import { finished, record, request } from './helpers.js'

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
  for (let y = y0; y < y0 + side; y++) {
    for (let x = x0; x < x0 + side; x++) data.set(red ? [220, 30, 30] : [30, 30, 220], (y * SIZE + x) * 3)
  }
  await sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toFile(file)
}

let home: string | undefined
const studio = new Studio()
let store: Store
const isRed = new Map<string, boolean>()

beforeAll(async () => {
  home = process.env.KINDLING_HOME
  process.env.KINDLING_HOME = tempDir('kindling-home-')
  const photos = tempDir('kindling-squares-')
  const random = seededRandom(11)
  for (let i = 0; i < PHOTOS; i++) {
    const name = `square-${String(i).padStart(3, '0')}.png`
    const red = i % 2 === 0
    isRed.set(name, red)
    await squarePhoto(path.join(photos, name), red, random)
  }
  await studio.openProject(tempDir('kindling-project-'), { create: true })
  expect((await studio.importFolder(photos).finished).state).toBe('done')
  store = studio.project!
  // Tagged as a label file would (imported), every photo, test included: the run must leave the test ones alone.
  for (const image of store.page({ sort: 'name', offset: 0, limit: 1000 }).items) {
    store.tagTable.put({ imageId: image.id, name: 'red', value: isRed.get(image.name)!, source: 'imported' })
  }
}, 60_000)
afterAll(async () => {
  await studio.close()
  if (home === undefined) delete process.env.KINDLING_HOME
  else process.env.KINDLING_HOME = home
})

describe('a classifier run', () => {
  it(
    'learns red from blue squares (val accuracy ≥ 0.9), scored per evaluation, never on test; predicts tags',
    { timeout: 120_000 },
    async () => {
      const counts = await request(studio, 'train.counts', { labels: 'all', tag: 'red' })
      expect(counts.train + counts.val + counts.test).toBe(PHOTOS)
      expect(counts.test).toBeGreaterThan(0)
      expect(counts.val).toBeGreaterThan(0)

      const events = record(studio)
      const { jobId, runId } = await request(studio, 'train.start', {
        preset: 'mobilenet-classifier-160',
        tag: 'red',
        epochs: 6,
        batchSize: 4,
        learningRate: 2e-3,
        seed: 3,
      })
      const progress = await finished(studio, jobId)
      events.stop()
      expect(progress).toMatchObject({ kind: 'train', state: 'done' })

      const { run, steps, evals } = await request(studio, 'runs.get', { runId })
      expect(run).toMatchObject({ task: 'classify', state: 'done', classes: ['not red', 'red'], backend: 'wasm × 2 workers' })
      expect(run.settings.tag).toBe('red')
      // The split rules: train trains, val evaluates, test is never touched.
      expect(run.trainImages).toBe(counts.train)
      expect(run.valImages).toBe(counts.val)
      expect(steps.length).toBe(6 * Math.ceil(counts.train / 4))
      expect(steps.every((s) => Number.isFinite(s.loss) && s.box === 0)).toBe(true)
      expect(evals.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6])
      for (const e of evals) {
        expect(e.classifier!.photos).toBe(counts.val)
        expect(e.classifier!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(counts.val)
        expect(e.classifier!.classes.map((c) => c.name)).toEqual(['not red', 'red'])
      }
      expect(events.of('run.eval').map((e) => e.classifier?.accuracy)).toEqual(evals.map((e) => e.classifier!.accuracy))
      // The best checkpoint is the most accurate evaluation's (of equals, the latest: it has learned longer).
      const best = evals.reduce((a, b) => (b.classifier!.accuracy >= a.classifier!.accuracy ? b : a))
      expect(run.bestAccuracy).toBe(best.classifier!.accuracy)
      expect(run.bestCheckpoint).toBe(best.checkpoint)
      expect(run.bestAp50).toBeNull()
      expect(run.bestAccuracy).toBeGreaterThanOrEqual(0.9)

      // Predict: every photo gets a predicted `red` layer from this run with a score; the imported labels stay on top.
      const summary = await studio.predict({ runId, scope: 'all' }).result
      expect(summary).toMatchObject({ runId, photos: PHOTOS, boxes: 0, tagged: { tag: 'red', photos: PHOTOS } })
      let right = 0
      let rightOnVal = 0
      for (const image of store.page({ sort: 'name', offset: 0, limit: 1000 }).items) {
        const [tag] = store.tags(image.id)
        expect(tag).toMatchObject({ name: 'red', source: 'imported', value: isRed.get(image.name) })
        const predicted = tag.layers.find((l) => l.source === 'predicted')!
        expect(predicted).toMatchObject({ runId })
        expect(predicted.score).toBeGreaterThanOrEqual(0.5)
        if (predicted.value === isRed.get(image.name)) {
          right++
          if (image.split === 'val') rightOnVal++
        }
      }
      // The best checkpoint predicts val exactly as its evaluation scored it, and all photos far above chance (a
      // short run from random weights: 0.86–0.98 of them over runs and machines).
      expect(rightOnVal / counts.val).toBeCloseTo(run.bestAccuracy!, 10)
      expect(right / PHOTOS).toBeGreaterThanOrEqual(0.8)
      expect(summary.disagree).toBe(PHOTOS - right)
      // Predicted tags are never learned from: the run's photos are the same with them.
      expect(loadTagDataset(store, 'red', 'all').train.length).toBe(counts.train)
    },
  )
})

describe('a classifier run, cancelled', () => {
  it('keeps its checkpoint and best accuracy, and train.resume finishes it from there', { timeout: 120_000 }, async () => {
    const events = record(studio)
    const { jobId, runId } = await request(studio, 'train.start', {
      preset: 'mobilenet-classifier-160',
      tag: 'red',
      epochs: 2,
      batchSize: 8,
      seed: 5,
    })
    // Cancel as soon as the first epoch's checkpoint is scored.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (events.of('run.eval').length > 0) {
          clearInterval(timer)
          void request(studio, 'jobs.cancel', { jobId }).then(() => resolve())
        }
      }, 20)
    })
    expect((await finished(studio, jobId)).state).toBe('cancelled')
    const cancelled = (await request(studio, 'runs.get', { runId })).run
    expect(cancelled).toMatchObject({ state: 'cancelled', task: 'classify' })
    expect(cancelled.bestAccuracy).not.toBeNull()
    events.stop()

    const resumed = await request(studio, 'train.resume', { runId })
    expect((await finished(studio, resumed.jobId)).state).toBe('done')
    const { run, evals } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ state: 'done', epoch: 2, classes: ['not red', 'red'] })
    expect(evals.map((e) => e.epoch)).toEqual([1, 2])
    expect(run.bestAccuracy).toBe(Math.max(...evals.map((e) => e.classifier!.accuracy)))
  })

  it('alexnet-classifier trains too: AlexNet at 227×227 with its dropout, on the replicas', { timeout: 120_000 }, async () => {
    const { jobId, runId } = await request(studio, 'train.start', { preset: 'alexnet-classifier', tag: 'red', epochs: 1, batchSize: 8, seed: 1 })
    expect((await finished(studio, jobId)).state).toBe('done')
    const { run, steps, evals } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ preset: 'alexnet-classifier', backend: 'wasm × 2 workers', settings: { init: 'random' } })
    expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true)
    expect(evals).toHaveLength(1)
    expect(evals[0].classifier!.photos).toBe(run.valImages)
  })
})

describe('kindling train --tag', () => {
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], {
        env: { ...process.env, KINDLING_BACKEND: 'wasm', KINDLING_TRAIN_WORKERS: '1' },
      })
      return { code: 0, stdout, stderr }
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string }
      return { code: err.code, stdout: err.stdout, stderr: err.stderr }
    }
  }

  it('trains a classifier of the tag from the command line: split, per-epoch accuracy, verdict and RESULT', { timeout: 90_000 }, async () => {
    const project = studio.project!.dir
    // The studio above has the project open; the CLI opens it alone.
    await studio.close()
    const trained = await cli(
      'train',
      '--project',
      project,
      '--tag',
      'red',
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--lr',
      '0.002',
      '--seed',
      '3',
    )
    expect(trained.stderr).toBe('')
    expect(trained.code).toBe(0)
    expect(trained.stdout).toMatch(/^Labelled photos with a red tag: \d+ train · \d+ val · \d+ test \(test is never trained on\)$/m)
    expect(trained.stdout).toMatch(
      /^Run \d+ \(.*\): mobilenet-classifier-160 classifying not red \/ red, \d+ photos to train, \d+ to evaluate, \d+ steps$/m,
    )
    expect(trained.stdout).toMatch(
      /^epoch 2: accuracy \d\.\d{3} on \d+ photos \(red: precision (\d\.\d\d|–), recall \d\.\d\d; not red: precision (\d\.\d\d|–), recall \d\.\d\d\) → /m,
    )
    expect(trained.stdout).toMatch(/^(Weak|Usable|Good): Accuracy \d+%: /m)
    const line = trained.stdout.trim().split('\n').at(-1)!
    const result = JSON.parse(line.slice('RESULT '.length))
    expect(result).toMatchObject({ state: 'done', ap50: null, ap: null, backend: 'wasm' })
    expect(result.accuracy).toBeGreaterThan(0)

    const runs = await cli('runs', '--project', project)
    expect(runs.stdout).toMatch(/mobilenet-classifier-160 {2}step \d+\/\d+, epoch 2\/2 {2}best accuracy \d\.\d{3}/)

    // A classifier preset without a tag, and a tag for a detector, are refused saying why.
    const untagged = await cli('train', '--project', project, '--preset', 'alexnet-classifier')
    expect(untagged.code).not.toBe(0)
    expect(untagged.stderr).toMatch(/--preset alexnet-classifier classifies whole photos by an image tag: name it with --tag/)
    const detector = await cli('train', '--project', project, '--preset', 'alexnet-ssd-300', '--tag', 'red', '--epochs', '1')
    expect(detector.code).not.toBe(0)
    expect(detector.stderr).toMatch(/alexnet-ssd-300 is a detector: it learns the project's boxes, not a tag/)
    const unknown = await cli('train', '--project', project, '--tag', 'blue', '--epochs', '1')
    expect(unknown.stderr).toMatch(/no photo with a blue tag \(set or not\) yet; the project's tags: red/)
  })
})
