// SSD MobileNetV1 (the first teacher) against people's labels, on real photos: dlib's faces (every face boxed) imported through the
// studio's import job, the human boxes added from training.xml/testing.xml, kindled on worker threads.
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SkippedFile } from '../../../src/shared/api.js'
import type { JobContext } from '../../../src/main/jobs/index.js'
import { kindleProject, TEACHERS } from '../../../src/main/kindle/index.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'
import { dlibLabels, matchCount as match } from './dlib-labels.js'

const studio = new Studio()
afterAll(() => studio.close())

describe('kindling dlib-faces with SSD MobileNetV1', () => {
  it('finds ≥ 90% of the faces people boxed (IoU 0.5), on all cores, with smiles, leaving the human boxes as they were', async () => {
    await studio.openProject(tempDir(), { create: true })
    const imported = await studio.importFolder(dlibFaces).finished
    expect(imported.state).toBe('done')
    const store = studio.project!

    const labelled = dlibLabels()
    expect(labelled.flatMap((l) => l.boxes)).toHaveLength(43)
    const imageOf = new Map<number, string>()
    for (const { file, boxes } of labelled) {
      const image = store.imageAtPath(path.join(dlibFaces, file))!
      imageOf.set(image.id, file)
      for (const b of boxes) store.addBox({ imageId: image.id, classId: 1, x: b.x, y: b.y, w: b.w, h: b.h, source: 'human' })
    }
    const humanBefore = [...imageOf.keys()].flatMap((id) => store.boxes(id))

    const skipped: SkippedFile[] = []
    const ctx: JobContext = { signal: new AbortController().signal, report: () => {}, skip: (f) => skipped.push(f) }
    const summary = await kindleProject(store, ctx, { teacher: 'ssd-mobilenetv1', smile: true, workers: 2 })
    expect(skipped).toEqual([])
    expect(summary).toMatchObject({ teacher: 'ssd-mobilenetv1', teacherVersion: TEACHERS['ssd-mobilenetv1'].version, threads: 2 })
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
        expect(k.teacher).toBe('ssd-mobilenetv1')
        expect(k.score).toBeGreaterThanOrEqual(0.5)
        expect(k.attributes).toMatchObject({ smiling: { value: expect.any(Boolean), score: expect.any(Number), source: 'kindled', teacher: 'face-expression' } })
      }
    }
    const recall = matched / humans
    const precision = matched / kindledOnLabelled
    console.log(`dlib-faces, ssd-mobilenetv1 @0.5: recall ${recall.toFixed(3)} (${matched}/${humans}), precision ${precision.toFixed(3)} (${matched}/${kindledOnLabelled})`)
    expect(recall).toBeGreaterThanOrEqual(0.9)
    expect([...imageOf.keys()].flatMap((id) => store.boxes(id)).filter((b) => b.source === 'human')).toEqual(humanBefore)

    expect(store.counts().kindled).toBe(store.counts().images)
  }, 180_000)
})
