// An evaluation's report and error lists through the API, on a hand-made evaluation in a real project (fixture.ts):
// every number below is worked out from the fixture's boxes and scores. Labels fixed afterwards (a box added over a
// false alarm, a wrong box deleted) change the next report without inferring again.
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { preparePredict } from '../../../src/main/train/index.js'
import { type Method, type Params, type Result, type StudioEvent, TrainSettings } from '../../../src/shared/api.js'
import { handMadeProject } from '../../helpers/evaluations.js'

const project = await handMadeProject()
const { studio, store, runId, evaluationId, photos, boxes } = project
afterAll(async () => {
  // Box edits tell the pages on the next turn of the event loop: let that happen before the project closes.
  await new Promise((resolve) => setImmediate(resolve))
  await studio.close()
})

async function request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
  const response = await dispatch(studio, { id: 1, method, params })
  if (!response.ok)
    throw new Error(`${response.error.code}: ${response.error.message}${response.error.field ? ` [${response.error.field}]` : ''}`)
  return response.result as Result<M>
}

// Kept scores are float32: 0.7 comes back as 0.699999988…
const f32 = (x: number) => Math.fround(x)

describe('evaluations.get', () => {
  it('reports AP, the pooled curve and the F1-best threshold worked out by hand', async () => {
    const r = (await request('evaluations.get', { runId }))!
    expect(r.evaluation).toMatchObject({ id: evaluationId, split: 'val', epoch: 1, state: 'done' })
    expect(r).toMatchObject({ iou: 0.5, labelledPhotos: 3, labelled: 4, confusion: null, runThreshold: null })
    // Ranked: .9 hit, .8 hit, .75 false alarm, .7 hit, .3 false alarm (duplicate), .05 false alarm; 4 labelled.
    expect(r.curve.map((p) => [p.score, p.tp, p.fp])).toEqual([
      [f32(0.9), 1, 0],
      [f32(0.8), 2, 0],
      [f32(0.75), 2, 1],
      [f32(0.7), 3, 1],
      [f32(0.3), 3, 2],
      [f32(0.05), 3, 3],
    ])
    // F1 along it: .4, .667, .571, .75, .667, .6 → best at 0.7: precision 3/4, recall 3/4.
    expect(r.bestF1).toMatchObject({ score: f32(0.7), tp: 3, fp: 1, misses: 1 })
    expect(r.bestF1!.precision).toBeCloseTo(0.75)
    expect(r.bestF1!.recall).toBeCloseTo(0.75)
    expect(r.bestF1!.f1).toBeCloseTo(0.75)
    expect(r.threshold).toBe(f32(0.7))
    // VOC all-point AP: recall steps .25, .5 at precision 1, .75 at the envelope's .75 → .25 + .25 + .25·.75 = .6875.
    expect(r.ap50).toBeCloseTo(0.6875)
    expect(r.classes).toHaveLength(1)
    expect(r.classes[0]).toMatchObject({ classIndex: 1, name: 'face', labelled: 4, detections: 6 })
    expect(r.classes[0].ap50).toBeCloseTo(0.6875)
    // C's 0.8 detection overlaps it by 48²/(2·50² − 48²) ≈ 0.85: still a hit at 0.75, so the curve is the same; AP75 is
    // COCO's 101-point one: recall 0–.5 at precision 1 (51 points), .51–.75 at .75 (25 points) → 69.75 / 101.
    expect(r.classes[0].ap75).toBeCloseTo(69.75 / 101)
  })

  it('breaks recall down by the labelled box’s size at the threshold and at any score', async () => {
    const r = (await request('evaluations.get', { runId }))!
    const by = Object.fromEntries(r.sizes.map((s) => [s.size, s]))
    // small: B (20², found at .7); medium: C (50², .8) and D (60², never); large: A (100², .9).
    expect(by.small).toMatchObject({ labelled: 1, found: 1, recall: 1, foundAtAnyScore: 1 })
    expect(by.medium).toMatchObject({ labelled: 2, found: 1, recall: 0.5, recallAtAnyScore: 0.5 })
    expect(by.large).toMatchObject({ labelled: 1, found: 1, recall: 1 })
    // At a stricter threshold B (found only at .7) drops out.
    const strict = (await request('evaluations.get', { runId, threshold: 0.72 }))!
    expect(strict.threshold).toBe(0.72)
    expect(strict.sizes.find((s) => s.size === 'small')).toMatchObject({ found: 0, recall: 0, foundAtAnyScore: 1, recallAtAnyScore: 1 })
    expect(strict.at).toMatchObject({ tp: 2, fp: 1, misses: 2 })
  })

  it('never answers with the test split unless asked: no split is val, test was never evaluated', async () => {
    expect((await request('evaluations.get', { runId }))!.evaluation.split).toBe('val')
    expect(await request('evaluations.get', { runId, split: 'test' })).toBeNull()
    // Starting without a split finds the val evaluation already done: nothing is inferred again.
    expect(await request('evaluations.start', { runId })).toEqual({ jobId: null, evaluationId })
    expect(store.evaluations.list(runId)).toHaveLength(1)
    // Test has one photo, with no label: refused, naming the split.
    await expect(request('evaluations.start', { runId, split: 'test' })).rejects.toThrow(
      /conflict: the test split has no labelled photos.*\[params.split\]/,
    )
  })

  it('refuses to evaluate a classifier run or a run with no checkpoint, saying why', async () => {
    const base = { preset: 'x', config: {}, classes: ['face'], backend: 'wasm', trainImages: 1, valImages: 1, valHeldOut: false, steps: 1 }
    const classifier = store.runs.create({
      ...base,
      name: 'smiles',
      settings: TrainSettings.parse({ preset: 'x', tag: 'smiling' }),
      config: { task: 'classify' },
    })
    await expect(request('evaluations.start', { runId: classifier.id })).rejects.toThrow(
      /invalid: run \d+ \(smiles\) is a classifier of the smiling tag: .* scored by its accuracy on the Train page/,
    )
    const untrained = store.runs.create({ ...base, name: 'just started', settings: TrainSettings.parse({ preset: 'x' }) })
    await expect(request('evaluations.start', { runId: untrained.id })).rejects.toThrow(/conflict: run \d+ has no checkpoint yet/)
  })

  it('refuses what it cannot answer, naming the field', async () => {
    await expect(request('evaluations.get', { runId: 999 })).rejects.toThrow(/not_found: no run 999/)
    await expect(request('evaluations.get', { runId, epoch: 4 })).rejects.toThrow(/no checkpoint of epoch 4/)
    await expect(request('evaluations.get', { runId, iou: 0.6 as 0.5 })).rejects.toThrow(/invalid: params.iou/)
    await expect(request('evaluations.errors', { evaluationId: 77, threshold: 0.5, kind: 'miss' })).rejects.toThrow(
      /not_found: no evaluation 77/,
    )
    await expect(request('evaluations.errors', { evaluationId, threshold: 0.5, kind: 'miss', classIndex: 2 })).rejects.toThrow(
      /invalid: classIndex 2: the run has 1 class \(face\)/,
    )
  })
})

describe('evaluations.errors', () => {
  it('lists false alarms at a threshold, most confident first, with the photo and the nearest labelled box', async () => {
    const page = await request('evaluations.errors', { evaluationId, threshold: 0.5, kind: 'false-alarm' })
    expect(page.total).toBe(1)
    expect(page.items[0]).toMatchObject({
      kind: 'false-alarm',
      image: { id: photos.p1, path: '/photos/1.jpg', width: 640, height: 480 },
      box: { x: 500, y: 50, w: 40, h: 40 },
      className: 'face',
      score: f32(0.75),
      boxId: null,
      nearest: null,
    })
    const all = await request('evaluations.errors', { evaluationId, threshold: 0.01, kind: 'false-alarm' })
    expect(all.items.map((i) => i.score)).toEqual([f32(0.75), f32(0.3), f32(0.05)])
    // The duplicate of C: its nearest labelled box is C itself.
    expect(all.items[1].nearest).toMatchObject({ x: 50, y: 50, w: 50, h: 50, iou: 1 })
    // Paged: the second item alone.
    const second = await request('evaluations.errors', { evaluationId, threshold: 0.01, kind: 'false-alarm', offset: 1, limit: 1 })
    expect(second).toMatchObject({ total: 3, offset: 1 })
    expect(second.items.map((i) => i.score)).toEqual([f32(0.3)])
  })

  it('lists misses largest box first, each with its labelled box id and the detection that overlaps it most', async () => {
    const page = await request('evaluations.errors', { evaluationId, threshold: 0.72, kind: 'miss' })
    // D (60², nothing near it) before B (20², found only at 0.7).
    expect(page.total).toBe(2)
    expect(page.items.map((i) => i.boxId)).toEqual([boxes.D.id, boxes.B.id])
    expect(page.items[0]).toMatchObject({ kind: 'miss', size: 'medium', score: null, nearest: null, box: { x: 400, y: 100, w: 60, h: 60 } })
    expect(page.items[1]).toMatchObject({ size: 'small', nearest: { x: 300, y: 300, w: 20, h: 20, score: f32(0.7), iou: 1 } })
  })

  it('follows the labels: a box drawn over a false alarm and a wrong box deleted leave both lists', async () => {
    const before = (await request('evaluations.get', { runId }))!
    // The "false alarm" at 0.75 was a face nobody had labelled; D was a wrong label.
    await request('boxes.add', { imageId: photos.p1, classId: project.faceId, x: 500, y: 50, w: 40, h: 40 })
    await request('boxes.delete', { id: boxes.D.id })
    const alarms = await request('evaluations.errors', { evaluationId, threshold: 0.5, kind: 'false-alarm' })
    expect(alarms.total).toBe(0)
    const misses = await request('evaluations.errors', { evaluationId, threshold: 0.5, kind: 'miss' })
    expect(misses.items.map((i) => i.boxId)).not.toContain(boxes.D.id)
    const after = (await request('evaluations.get', { runId }))!
    expect(after.labelsFingerprint).not.toBe(before.labelsFingerprint)
    expect(after.labelled).toBe(4)
    // Now every detection above .3 is a hit: .9 .8 .75 .7 → 4 of 4 at F1 1.
    expect(after.bestF1).toMatchObject({ tp: 4, fp: 0, misses: 0, f1: 1, score: f32(0.7) })
    expect(after.evaluation.id).toBe(evaluationId)
  })
})

describe("a run's deploy threshold", () => {
  it('is validated, stored, told to the pages, and shown in the report', async () => {
    await expect(request('runs.setThreshold', { runId, threshold: 0 })).rejects.toThrow(/invalid: params.threshold: must be greater than 0/)
    await expect(request('runs.setThreshold', { runId, threshold: 1 })).rejects.toThrow(/invalid: params.threshold: must be less than 1/)
    await expect(request('runs.setThreshold', { runId: 999, threshold: 0.5 })).rejects.toThrow(/not_found: no run 999/)
    const events: StudioEvent[] = []
    studio.on('event', (e) => events.push(e))
    const run = await request('runs.setThreshold', { runId, threshold: 0.42 })
    expect(run.threshold).toBe(0.42)
    expect(events.find((e) => e.event === 'run.changed')?.payload).toMatchObject({ id: runId, threshold: 0.42 })
    expect((await request('runs.get', { runId })).run.threshold).toBe(0.42)
    expect((await request('evaluations.get', { runId }))!.runThreshold).toBe(0.42)
  })

  it("is predict's default minimum score; a request's own still wins, and clearing it goes back to 0.3", async () => {
    await request('runs.setThreshold', { runId, threshold: 0.42 })
    expect(preparePredict(store, { runId }).minScore).toBe(0.42)
    expect(preparePredict(store, { runId, minScore: 0.2 }).minScore).toBe(0.2)
    await request('runs.setThreshold', { runId, threshold: null })
    expect(preparePredict(store, { runId }).minScore).toBe(0.3)
  })
})
