// Teachers against people's labels, on real photos: dlib's faces (every face boxed) imported with their training.xml and
// testing.xml through the studio's label import, then kindled on worker threads — with the default teacher (the
// issue's acceptance) and with SSD MobileNetV1, face-api's, which the smile model and the ensembles build on.
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SkippedFile } from '../../../src/shared/api.js'
import type { JobContext } from '../../../src/main/jobs/index.js'
import { DEFAULT_TEACHER, kindleProject, TEACHERS } from '../../../src/main/kindle/index.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'
import { matchCount as match } from './dlib-labels.js'

const studio = new Studio()
afterAll(() => studio.close())

describe.each([...new Set([DEFAULT_TEACHER, 'ssd-mobilenetv1'] as const)])('kindling dlib-faces with %s', (teacher) => {
  it('finds ≥ 90% of the faces people boxed (IoU 0.5), on all cores, with smiles, leaving the human boxes as they were', async () => {
    await studio.openProject(tempDir(), { create: true })
    const labels = ['training.xml', 'testing.xml'].map((f) => path.join(dlibFaces, f))
    const { job, result } = studio.importLabels({ labelsFile: labels, imagesDir: dlibFaces, format: 'dlib' })
    expect((await job.finished).state).toBe('done')
    expect(await result).toMatchObject({ formats: ['dlib', 'dlib'], images: 9, boxes: 43 })
    const store = studio.project!
    const imageOf = new Map<number, string>()
    for (const image of store.page({ sort: 'name', offset: 0, limit: 100 }).items) {
      if (store.boxes(image.id).some((b) => b.source === 'human')) imageOf.set(image.id, image.name)
    }
    expect(imageOf.size).toBe(9)
    const humanBefore = [...imageOf.keys()].flatMap((id) => store.boxes(id))

    const skipped: SkippedFile[] = []
    const ctx: JobContext = { signal: new AbortController().signal, report: () => {}, skip: (f) => skipped.push(f) }
    const summary = await kindleProject(store, ctx, { teacher, smile: true, workers: 2 })
    expect(skipped).toEqual([])
    expect(summary).toMatchObject({ teacher, teacherVersion: TEACHERS[teacher].version, threads: 2 })
    expect(summary.kindled).toBe(store.counts().images)

    let humans = 0
    let kindledOnLabelled = 0
    let matched = 0
    for (const id of imageOf.keys()) {
      const boxes = store.boxes(id)
      const human = boxes.filter((b) => b.source === 'human')
      const kindled = boxes.filter((b) => b.source === 'kindled')
      humans += human.length
      kindledOnLabelled += kindled.length
      matched += match(human, kindled)
      for (const k of kindled) {
        expect(k.teacher).toBe(teacher)
        expect(k.score).toBeGreaterThanOrEqual(0.5)
        expect(k.attributes).toMatchObject({
          smiling: { value: expect.any(Boolean), score: expect.any(Number), source: 'kindled', teacher: 'face-expression' },
        })
      }
    }
    const recall = matched / humans
    const precision = matched / kindledOnLabelled
    console.log(
      `dlib-faces, ${teacher} @0.5: recall ${recall.toFixed(3)} (${matched}/${humans}), precision ${precision.toFixed(3)} (${matched}/${kindledOnLabelled})`,
    )
    expect(recall).toBeGreaterThanOrEqual(0.9)
    expect([...imageOf.keys()].flatMap((id) => store.boxes(id)).filter((b) => b.source === 'human')).toEqual(humanBefore)

    expect(store.counts().kindled).toBe(store.counts().images)
  }, 180_000)
})
