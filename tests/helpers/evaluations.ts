// A project with a run whose evaluation is made by hand: three val photos with labelled faces, a run with a checkpoint
// folder (its detector.json; no weights — nothing here infers), and an evaluation whose kept detections are chosen so
// every number of the report can be worked out on paper (see tests/integration/evaluations/report.test.ts).
import fs from 'node:fs'
import path from 'node:path'
import { preset } from '../../src/main/detector/index.js'
import type { KeptDetection, NewImage, Store } from '../../src/main/store/index.js'
import { Studio } from '../../src/main/studio.js'
import { checkpointDir, DETECTOR_JSON } from '../../src/main/train/index.js'
import { type Split, TrainSettings } from '../../src/shared/api.js'
import { tempDir } from './fixtures.js'

export const PRESET = 'alexnet-ssd-320x240'

const photo = (n: number, split: Split = 'val'): NewImage => ({
  path: `/photos/${n}.jpg`,
  sha256: `sha-${n}`,
  bytes: 1000 + n,
  mtimeMs: n,
  width: 640,
  height: 480,
  format: 'jpeg',
  split,
})

/** A run with a checkpoint of epoch 1 (its best), as training would have left it. */
export function addRun(store: Store, classes = ['face']): number {
  const config = { ...preset(PRESET), classes }
  const run = store.runs.create({
    name: 'hand-made',
    preset: PRESET,
    settings: TrainSettings.parse({ preset: PRESET, epochs: 1 }),
    config,
    classes,
    backend: 'wasm',
    trainImages: 0,
    valImages: 3,
    valHeldOut: false,
    steps: 1,
  })
  const dir = checkpointDir(store.dir, run.id, 1)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, DETECTOR_JSON), JSON.stringify({ runId: run.id, epoch: 1, step: 1, config, classes }))
  store.runs.addEval(run.id, { step: 1, epoch: 1, ap50: 0.5, ap: 0.3, recall: 0.5, checkpoint: dir, at: 1 }, { ap50: 0.5, checkpoint: dir })
  store.runs.end(run.id, 'done')
  return run.id
}

const det = (x: number, y: number, w: number, h: number, score: number, classIndex = 1): KeptDetection => ({ classIndex, x, y, w, h, score })

/**
 * Photo 1: face A (100×100, large) found at 0.9; face B (20×20, small) found at 0.7; a false alarm at 0.75 on nothing.
 * Photo 2: face C (50×50, medium) found at 0.8; a second detection of it at 0.3 (a duplicate: a false alarm).
 * Photo 3: face D (60×60, medium) never found; a false alarm at 0.05.
 */
export async function handMadeProject() {
  const studio = new Studio()
  const dir = tempDir()
  await studio.openProject(dir, { create: true })
  const store = studio.project!
  const face = store.classes().find((c) => c.name === 'face') ?? store.addClass('face')
  store.addImages([photo(1), photo(2), photo(3), photo(4, 'test')])
  const [p1, p2, p3] = store.page({ sort: 'name', offset: 0, limit: 10 }).items.map((i) => i.id)
  const box = (imageId: number, x: number, y: number, w: number, h: number) =>
    store.addBox({ imageId, classId: face.id, x, y, w, h, source: 'human' })
  const boxes = {
    A: box(p1, 10, 10, 100, 100),
    B: box(p1, 300, 300, 20, 20),
    C: box(p2, 50, 50, 50, 50),
    D: box(p3, 400, 100, 60, 60),
  }
  const runId = addRun(store)
  const e = store.evaluations.create({
    runId,
    epoch: 1,
    split: 'val',
    checkpoint: checkpointDir(dir, runId, 1),
    photos: [p1, p2, p3].map((id) => ({ id, width: 640, height: 480 })),
    minScore: 0.01,
    topK: 100,
    classes: ['face'],
  })
  store.evaluations.addPhotos(e.id, [
    { imageId: p1, width: 640, height: 480, detections: [det(10, 10, 100, 100, 0.9), det(500, 50, 40, 40, 0.75), det(300, 300, 20, 20, 0.7)] },
    { imageId: p2, width: 640, height: 480, detections: [det(52, 52, 50, 50, 0.8), det(50, 50, 50, 50, 0.3)] },
    { imageId: p3, width: 640, height: 480, detections: [det(0, 0, 30, 30, 0.05)] },
  ])
  store.evaluations.finish(e.id, 'done')
  return { studio, store, dir, runId, evaluationId: e.id, photos: { p1, p2, p3 }, boxes, faceId: face.id }
}
