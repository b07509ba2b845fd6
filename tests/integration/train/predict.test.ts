// Predicting with a trained run through the studio API on real photos (dlib-faces with its human boxes): a tiny run
// (the fastest preset, one epoch), then `predict.start` stores each photo's detections as predicted boxes of that run,
// and the review queue's "disagree" filter returns exactly the photos where they and the labels differ — checked
// against evaluation's own matcher, not the store's rule. Editing a photo's labels to match takes it out of the filter;
// `kindling predict` does the same from the command line.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matchImage } from '../../../src/main/eval/match.js'
import { Studio } from '../../../src/main/studio.js'
import type { ReviewBox, StudioEvent } from '../../../src/shared/api.js'
import { cornersOf } from '../../../src/shared/boxes.js'
import { repoRoot } from '../../helpers/fixtures.js'
import { finished, request, trainedProject } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
const studio = new Studio()
let project: string
let runId: number
beforeAll(async () => {
  ;({ project, runId } = await trainedProject(studio))
}, 120_000)
afterAll(() => studio.close())

const MIN_SCORE = 0.05

/** Disagreement by evaluation's matcher (pycocotools' greedy rule), per class: an fp, or a label left unmatched. */
function independentlyDisagrees(boxes: ReviewBox[]): boolean {
  const predicted = boxes.filter((b) => b.source === 'predicted' && (b.score ?? 0) >= MIN_SCORE)
  const labels = boxes.filter((b) => b.source !== 'predicted')
  const classes = new Set([...predicted, ...labels].map((b) => b.classId))
  for (const c of classes) {
    const dets = predicted.filter((b) => b.classId === c).sort((a, b) => b.score! - a.score!)
    const gts = labels.filter((b) => b.classId === c)
    const matches = matchImage(
      dets.map(cornersOf),
      gts.map((b) => ({ box: cornersOf(b) })),
      [0.5],
    )[0]
    if (matches.some((m) => m.outcome !== 'tp')) return true
    if (matches.length < gts.length) return true
  }
  return false
}

describe('predict.start', () => {
  it('stores predicted boxes of the run on every photo, and the disagree filter is exactly the photos that differ', async () => {
    const store = studio.project!
    const { jobId } = await request(studio, 'predict.start', { runId, scope: 'all', minScore: MIN_SCORE })
    // One job at a time: a second start is refused while it runs.
    await expect(request(studio, 'predict.start', { runId })).rejects.toThrow(/conflict: a prediction is running/)
    const progress = await finished(studio, jobId)
    const photos = store.db.prepare<[], { id: number; width: number; height: number }>('SELECT id, width, height FROM images').all()
    expect(progress).toMatchObject({ kind: 'predict', state: 'done', done: photos.length, total: photos.length })

    const predicted = store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM boxes WHERE source = 'predicted'").get()!.n
    expect(predicted).toBeGreaterThan(0)
    const expected: number[] = []
    for (const p of photos) {
      const boxes = store.boxes(p.id)
      for (const b of boxes.filter((b) => b.source === 'predicted')) {
        expect(b).toMatchObject({ runId, teacher: null })
        expect(b.score).toBeGreaterThanOrEqual(MIN_SCORE)
        expect(b.x).toBeGreaterThanOrEqual(0)
        expect(b.y).toBeGreaterThanOrEqual(0)
        expect(b.x + b.w).toBeLessThanOrEqual(p.width + 1e-6)
        expect(b.y + b.h).toBeLessThanOrEqual(p.height + 1e-6)
      }
      expect(store.disagree(p.id)).not.toBeNull()
      if (independentlyDisagrees(boxes)) expected.push(p.id)
    }
    expect(expected.length).toBeGreaterThan(0)
    for (const sort of ['name', 'score', 'newest'] as const) {
      const queue = await request(studio, 'review.queue', { filter: 'disagree', sort, limit: 1000 })
      expect(queue.total).toBe(expected.length)
      expect([...queue.ids].sort((a, b) => a - b)).toEqual(expected)
    }

    // Predicting again replaces the boxes (never adds to them).
    const again = await request(studio, 'predict.start', { runId, scope: 'unreviewed', minScore: MIN_SCORE })
    expect(await finished(studio, again.jobId)).toMatchObject({ state: 'done' })
    expect(store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM boxes WHERE source = 'predicted'").get()!.n).toBe(predicted)

    // Make one disagreeing photo's labels the model's boxes, through the API as the Review page does: it leaves the filter.
    const target = expected[0]
    const { boxes } = await request(studio, 'review.image', { id: target })
    const labels = boxes.filter((b) => b.source !== 'predicted')
    const predictions = boxes.filter((b) => b.source === 'predicted')
    for (const [i, p] of predictions.entries()) {
      const { x, y, w, h, classId } = p
      if (i < labels.length) await request(studio, 'boxes.update', { id: labels[i].id, x, y, w, h, classId })
      else await request(studio, 'boxes.add', { imageId: target, x, y, w, h, classId })
    }
    for (const extra of labels.slice(predictions.length)) await request(studio, 'boxes.delete', { id: extra.id })
    expect(store.disagree(target)).toBe(false)
    const after = await request(studio, 'review.queue', { filter: 'disagree', sort: 'name', limit: 1000 })
    expect(after.ids).not.toContain(target)
    expect(after.total).toBe(expected.length - 1)
    // Undo goes through the same triggers.
    await request(studio, 'edits.undo', {})
    expect(store.disagree(target)).toBe(independentlyDisagrees(store.boxes(target)))
  }, 120_000)

  it('cancel keeps the photos done: each has its predictions and its flag, the rest none', async () => {
    const store = studio.project!
    store.db.exec("DELETE FROM boxes WHERE source = 'predicted'; UPDATE images SET disagree = NULL")
    const { jobId } = await request(studio, 'predict.start', { runId, minScore: MIN_SCORE, batchSize: 1 })
    const cancelled = new Promise<void>((resolve) => {
      const listener = (e: StudioEvent) => {
        if (e.event === 'job.progress' && e.payload.jobId === jobId && e.payload.done >= 1) {
          studio.off('event', listener)
          void request(studio, 'jobs.cancel', { jobId }).then(() => resolve())
        }
      }
      studio.on('event', listener)
    })
    const progress = await finished(studio, jobId)
    await cancelled
    expect(progress).toMatchObject({ kind: 'predict', state: 'cancelled' })
    expect(progress.done).toBeGreaterThanOrEqual(1)
    expect(progress.done).toBeLessThan(progress.total!)
    const withFlag = store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images WHERE disagree IS NOT NULL').get()!.n
    expect(withFlag).toBe(progress.done)
    const predictedElsewhere = store.db
      .prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM boxes b JOIN images i ON i.id = b.image_id WHERE b.source = 'predicted' AND i.disagree IS NULL",
      )
      .get()!.n
    expect(predictedElsewhere).toBe(0)
  }, 60_000)

  it('refuses a run without that checkpoint, or one that does not exist, naming the field', async () => {
    await expect(request(studio, 'predict.start', { runId, epoch: 9 })).rejects.toThrow(/not_found: run \d+ has no checkpoint of epoch 9/)
    await expect(request(studio, 'predict.start', { runId: 999 })).rejects.toThrow(/not_found: no run 999/)
  })

  it('kindling predict ends with a RESULT line', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'bin/kindling.js'), 'predict', '--project', project, '--run', String(runId), '--scope', 'all', '--min-score', '0.05'],
      { env: { ...process.env, KINDLING_BACKEND: 'wasm' } },
    )
    expect(stderr).toBe('')
    const line = stdout.trim().split('\n').at(-1)!
    expect(line).toMatch(/^RESULT \{/)
    const result = JSON.parse(line.slice('RESULT '.length))
    const photos = studio.project!.counts().images
    expect(result).toMatchObject({ runId, photos, cancelled: false })
    expect(result.boxes).toBeGreaterThan(0)
    expect(result.disagree).toBe(studio.project!.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images WHERE disagree = 1').get()!.n)
  }, 60_000)
})
