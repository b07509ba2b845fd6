// Evaluating a real checkpoint end to end: a tiny run on dlib-faces (the training tests' fixture), evaluated on val as
// a job (photos decoded and inferred in the prediction worker, detections kept), asked again (answered from the store,
// nothing inferred), and through `kindling eval --run` in another process. The run's deploy threshold goes into the
// exported detector.json.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEIGHTS_FILE, writeFileAtomic } from '../../../src/main/detector/index.js'
import { Studio } from '../../../src/main/studio.js'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'
import { finished, record, request, trainedProject } from '../train/helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_HOME = tempDir()
const studio = new Studio()
let project: string
let runId: number
beforeAll(async () => {
  ;({ project, runId } = await trainedProject(studio))
}, 180_000)
afterAll(() => studio.close())

const kindling = (...args: string[]) =>
  promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], {
    env: { ...process.env, KINDLING_BACKEND: 'wasm' },
  })

describe('evaluating a trained run', () => {
  it('infers the val photos once as a job, keeps the detections, and answers a second start from the store', async () => {
    const events = record(studio)
    const started = await request(studio, 'evaluations.start', { runId })
    expect(started.jobId).not.toBeNull()
    // Asked again while it runs: the same job, not a second one.
    expect(await request(studio, 'evaluations.start', { runId })).toEqual(started)
    const end = await finished(studio, started.jobId!)
    expect(end).toMatchObject({ kind: 'evaluate', state: 'done' })
    const changes = events.of('evaluation.changed')
    events.stop()
    expect(changes[0]).toMatchObject({ id: started.evaluationId, state: 'running', done: 0 })
    const last = changes.at(-1)!
    const run = (await request(studio, 'runs.get', { runId })).run
    expect(last).toMatchObject({ id: started.evaluationId, state: 'done', split: 'val', photos: run.valImages, done: run.valImages })
    expect(last.detections).toBeGreaterThan(0)

    const report = (await request(studio, 'evaluations.get', { runId }))!
    expect(report.evaluation.id).toBe(started.evaluationId)
    expect(report.labelledPhotos).toBe(run.valImages)
    expect(report.labelled).toBeGreaterThan(0)
    expect(report.curve.length).toBeGreaterThan(0)
    expect(report.curve.length).toBeLessThanOrEqual(500)
    const low = report.curve.at(-1)!
    expect(low.score).toBeGreaterThanOrEqual(0.01)

    const again = await request(studio, 'evaluations.start', { runId })
    expect(again).toEqual({ jobId: null, evaluationId: started.evaluationId })
    expect(studio.project!.evaluations.list(runId)).toHaveLength(1)
    // "again" evaluates anew: a new evaluation, and it becomes the one reported.
    const fresh = await request(studio, 'evaluations.start', { runId, again: true })
    expect(fresh.evaluationId).not.toBe(started.evaluationId)
    await finished(studio, fresh.jobId!)
    expect((await request(studio, 'evaluations.get', { runId }))!.evaluation.id).toBe(fresh.evaluationId)
    expect(studio.project!.evaluations.list(runId)).toHaveLength(2)
  }, 120_000)

  it('infers again once the checkpoint is written with new weights (a resumed run), and the report changes', async () => {
    const before = (await request(studio, 'evaluations.get', { runId }))!
    const dir = before.evaluation.checkpoint
    // New weights written into the epoch's folder as the training loop writes them (whole file, renamed into place):
    // every weight nudged by up to ±20%, so the model still finds faces but not with the same boxes and scores.
    const file = path.join(dir, WEIGHTS_FILE)
    const bytes = fs.readFileSync(file)
    const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    for (let i = 0; i < weights.length; i++) weights[i] *= 1 + 0.2 * Math.sin(i)
    writeFileAtomic(file, new Uint8Array(weights.buffer))
    expect(await request(studio, 'evaluations.get', { runId })).toBeNull()
    const started = await request(studio, 'evaluations.start', { runId })
    expect(started.jobId).not.toBeNull()
    expect(await finished(studio, started.jobId!)).toMatchObject({ state: 'done' })
    const after = (await request(studio, 'evaluations.get', { runId }))!
    expect(after.evaluation.id).toBe(started.evaluationId)
    expect([after.evaluation.detections, after.ap50, after.curve]).not.toEqual([before.evaluation.detections, before.ap50, before.curve])
    // The checkpoint unchanged since: answered from the store, nothing inferred.
    expect(await request(studio, 'evaluations.start', { runId })).toEqual({ jobId: null, evaluationId: started.evaluationId })
    // The stale one stays listed beside its replacement.
    expect(studio.project!.evaluations.list(runId).map((e) => e.id)).toContain(before.evaluation.id)
  }, 120_000)

  it('kindling eval --run prints the table, sizes and best threshold from the cached evaluation, then RESULT', async () => {
    const { stdout, stderr } = await kindling('eval', '--project', project, '--run', String(runId))
    expect(stderr).toBe('')
    expect(stdout).toMatch(/scored on val/)
    expect(stdout).toMatch(/not inferred again/)
    expect(stdout).toMatch(/^class\s+labelled\s+detections\s+AP50\s+AP75\s+AP$/m)
    expect(stdout).toMatch(/^small \(< 32² px\)/m)
    expect(stdout).toMatch(/Best F1 at IoU 0\.5/)
    const line = stdout.trim().split('\n').at(-1)!
    expect(line).toMatch(/^RESULT \{/)
    const result = JSON.parse(line.slice('RESULT '.length))
    const report = (await request(studio, 'evaluations.get', { runId }))!
    expect(result).toMatchObject({ runId, split: 'val', iou: 0.5, cached: true, labelled: report.labelled, ap50: report.ap50 })
    expect(Object.keys(result.sizes)).toEqual(['small', 'medium', 'large'])
  }, 60_000)

  it('kindling eval --run scores test only when asked, and says so', async () => {
    const labelledTest = studio.project!.images.labelledBySplit('all').test
    const run = kindling('eval', '--project', project, '--run', String(runId), '--split', 'test', '--iou', '0.75')
    if (labelledTest === 0) {
      await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/the test split has no labelled photos/) })
      return
    }
    const { stdout } = await run
    expect(stdout).toMatch(/scored on the TEST split/)
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!.slice('RESULT '.length))).toMatchObject({ split: 'test', iou: 0.75, cached: false })
  }, 120_000)

  it('kindling eval --run names the problem: an unknown run, a bad split', async () => {
    await expect(kindling('eval', '--project', project, '--run', '999')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no run 999 in this project/),
    })
    await expect(kindling('eval', '--project', project, '--run', String(runId), '--split', 'train')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--split must be val or test/),
    })
  }, 60_000)

  it("exports the run's deploy threshold as the detector's score threshold", async () => {
    await request(studio, 'runs.setThreshold', { runId, threshold: 0.42 })
    const out = path.join(tempDir(), 'export')
    const { job, result } = studio.exportRun({ runId, formats: ['tfjs'] }, { out })
    await job.finished
    expect(await result).not.toBeNull()
    const description = JSON.parse(fs.readFileSync(path.join(out, 'detector.json'), 'utf8'))
    expect(description.decoding.scoreThreshold).toBe(0.42)
  }, 120_000)
})
