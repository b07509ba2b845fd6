// The kindling job's rules, with a real Store and a stand-in teacher (the real ones are exercised in
// tests/integration/kindle): what it may replace, what it must never touch, resume, cancel.
import { afterEach, describe, expect, it } from 'vitest'
import type { SkippedFile } from '../../../src/shared/api.js'
import type { JobContext } from '../../../src/main/jobs/index.js'
import {
  DEFAULT_TEACHER,
  kindleProject,
  PhotoKindleError,
  TEACHERS,
  thumbnailBoxes,
  type TeacherName,
  type KindledFace,
  type KindleService,
} from '../../../src/main/kindle/index.js'
import { Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

let store: Store
afterEach(() => store?.close())

function project(n: number): number[] {
  store = Store.open(tempDir(), { create: true })
  store.addImages(
    Array.from({ length: n }, (_, i) => ({
      path: `/photos/p${i}.jpg`,
      sha256: `sha${i}`,
      bytes: 1000,
      mtimeMs: 1,
      width: 400,
      height: 300,
      format: 'jpeg',
      split: 'train' as const,
    })),
  )
  return store.db
    .prepare<[], { id: number }>('SELECT id FROM images ORDER BY id')
    .all()
    .map((r) => r.id)
}

/** A teacher that finds one face per photo (two on p0), scoring 0.9, happy 0.8; paths in `broken` fail. */
function fakeService(opts: { teacher?: TeacherName; broken?: string[]; onKindle?: (file: string) => void } = {}) {
  const name = opts.teacher ?? DEFAULT_TEACHER
  const calls: string[] = []
  const service: KindleService = {
    teacher: { name, version: TEACHERS[name].version },
    smile: null,
    threads: 1,
    capacity: 2,
    async kindle(file) {
      calls.push(file)
      opts.onKindle?.(file)
      await new Promise((r) => setImmediate(r))
      if (opts.broken?.includes(file)) throw new PhotoKindleError('truncated or corrupt JPEG')
      const faces: KindledFace[] = [{ x: 10, y: 20, w: 50, h: 60, score: 0.9, happy: 0.8 }]
      if (file.endsWith('/p0.jpg')) faces.push({ x: 380, y: 250, w: 60, h: 90, score: 0.7, happy: 0.1 }) // runs off the edge
      return faces
    },
    close: async () => {},
  }
  return { service, calls }
}

function context(abortAfter?: number) {
  const abort = new AbortController()
  const skipped: SkippedFile[] = []
  const ctx: JobContext = {
    signal: abort.signal,
    report: (c) => {
      if (abortAfter !== undefined && (c.done ?? 0) >= abortAfter) abort.abort()
    },
    skip: (f) => skipped.push(f),
  }
  return { ctx, skipped }
}

const kindledAt = (id: number) =>
  store.db.prepare<[number], { kindled_at: number | null }>('SELECT kindled_at FROM images WHERE id = ?').get(id)!.kindled_at

describe('kindling a project', () => {
  it('adds the teacher’s faces with provenance, clipped to the photo, and marks the images kindled', async () => {
    const [a, b] = project(2)
    const { service } = fakeService()
    const summary = await kindleProject(store, context().ctx, { service, smile: true })
    expect(summary).toMatchObject({ selected: 2, kindled: 2, faces: 3, noFace: 0, reviewed: 0, alreadyKindled: 0 })
    const boxes = store.boxes(a)
    expect(boxes).toHaveLength(2)
    expect(boxes[0]).toMatchObject({
      x: 10,
      y: 20,
      w: 50,
      h: 60,
      source: 'kindled',
      teacher: DEFAULT_TEACHER,
      teacherVersion: TEACHERS[DEFAULT_TEACHER].version,
      score: 0.9,
      attributes: { smiling: { value: true, score: 0.8, source: 'kindled', teacher: 'face-expression' } },
    })
    expect(boxes[1]).toMatchObject({ x: 380, y: 250, w: 20, h: 50, attributes: { smiling: { value: false, score: 0.1 } } })
    expect(store.boxes(b)).toHaveLength(1)
    expect(kindledAt(a)).not.toBeNull()
    expect(store.counts()).toMatchObject({ kindled: 2, boxes: 3, byState: { new: 0, kindled: 2, reviewed: 0 } })
  })

  it('never touches a reviewed image or a box a person made or corrected', async () => {
    const [a, b] = project(2)
    const human = store.addBox({ imageId: a, classId: 1, x: 1, y: 2, w: 3, h: 4, source: 'human' })
    store.setReviewed(b, true)
    const onReviewed = store.addBox({ imageId: b, classId: 1, x: 5, y: 5, w: 9, h: 9, source: 'kindled', teacher: DEFAULT_TEACHER })
    const { service, calls } = fakeService()
    await kindleProject(store, context().ctx, { service })
    expect(calls).toEqual(['/photos/p0.jpg']) // the reviewed photo is not even read

    // A person corrects one kindled box: it becomes theirs, and kindling again leaves it alone.
    const kindled = store.boxes(a).filter((x) => x.source === 'kindled')
    const corrected = store.updateBox(kindled[0].id, { x: 12 })
    const summary = await kindleProject(store, context().ctx, { service, redo: true })
    expect(summary).toMatchObject({ kindled: 1, reviewed: 1 })
    const after = store.boxes(a)
    expect(after.find((x) => x.id === human.id)).toEqual(human)
    expect(after.find((x) => x.id === corrected.id)).toEqual(corrected)
    expect(after.filter((x) => x.source === 'kindled')).toHaveLength(2) // the teacher's own, replaced
    expect(store.boxes(b)).toEqual([onReviewed])
    expect(kindledAt(b)).toBeNull()
  })

  it('replaces only the same teacher’s kindled boxes', async () => {
    const [a] = project(1)
    await kindleProject(store, context().ctx, { service: fakeService({ teacher: 'tiny-face-detector' }).service, teacher: 'tiny-face-detector' })
    const tiny = store.boxes(a)
    await kindleProject(store, context().ctx, { service: fakeService().service })
    expect(store.boxes(a).filter((x) => x.teacher === DEFAULT_TEACHER)).toHaveLength(2)
    await kindleProject(store, context().ctx, { service: fakeService().service, minScore: 0.6 })
    const boxes = store.boxes(a)
    expect(boxes.filter((x) => x.teacher === 'tiny-face-detector')).toEqual(tiny)
    const second = boxes.filter((x) => x.teacher === DEFAULT_TEACHER)
    expect(second).toHaveLength(2) // replaced, not added to
    expect(store.counts().boxes).toBe(tiny.length + 2)
  })

  it('resumes: skips images this teacher already kindled with the same settings, unless asked to redo', async () => {
    project(3)
    const first = fakeService()
    await kindleProject(store, context().ctx, { service: first.service })
    const again = fakeService()
    expect(await kindleProject(store, context().ctx, { service: again.service })).toMatchObject({ kindled: 0, alreadyKindled: 3 })
    expect(again.calls).toEqual([])
    expect(await kindleProject(store, context().ctx, { service: again.service, minScore: 0.7 })).toMatchObject({ kindled: 3 })
    expect(await kindleProject(store, context().ctx, { service: again.service, minScore: 0.7, redo: true })).toMatchObject({ kindled: 3 })
    expect(store.counts().boxes).toBe(4)
  })

  it('with scope "new", kindles only photos no teacher has kindled yet', async () => {
    const ids = project(3)
    await kindleProject(store, context().ctx, { service: fakeService().service, imageIds: [ids[0]] })
    const { service, calls } = fakeService({ teacher: 'tiny-face-detector' })
    const summary = await kindleProject(store, context().ctx, { service, teacher: 'tiny-face-detector', scope: 'new' })
    expect(summary).toMatchObject({ selected: 2, kindled: 2 })
    expect(calls).toEqual(['/photos/p1.jpg', '/photos/p2.jpg'])
  })

  it('gives the boxes of the photos asked for, as fractions of each photo’s size, and refuses more than 1,000', async () => {
    const [a, b, c] = project(3)
    await kindleProject(store, context().ctx, { service: fakeService().service, imageIds: [a, b] })
    store.addBox({ imageId: b, classId: 1, x: 100, y: 30, w: 40, h: 60, source: 'human' })
    const boxes = thumbnailBoxes(store, [b, c])
    expect(boxes).toEqual([
      { imageId: b, x: 10 / 400, y: 20 / 300, w: 50 / 400, h: 60 / 300, source: 'kindled', score: 0.9 },
      { imageId: b, x: 100 / 400, y: 30 / 300, w: 40 / 400, h: 60 / 300, source: 'human', score: null },
    ])
    expect(thumbnailBoxes(store, [])).toEqual([])
    expect(() =>
      thumbnailBoxes(
        store,
        Array.from({ length: 1001 }, (_, i) => i + 1),
      ),
    ).toThrow(/at most 1000 at once/)
  })

  it('kindles only a selection when given image ids', async () => {
    const ids = project(4)
    const { service, calls } = fakeService()
    const summary = await kindleProject(store, context().ctx, { service, imageIds: [ids[1], ids[3]] })
    expect(summary).toMatchObject({ selected: 2, kindled: 2 })
    expect(calls).toEqual(['/photos/p1.jpg', '/photos/p3.jpg'])
  })

  it('keeps what it finished when cancelled, and a second run does the rest', async () => {
    const ids = project(20)
    const { ctx } = context(5)
    // Small batches: a photo is done once written, and the cancel comes from the progress of a write.
    const summary = await kindleProject(store, ctx, { service: fakeService().service, batchSize: 2 })
    expect(summary.cancelled).toBe(true)
    expect(summary.kindled).toBeGreaterThanOrEqual(5)
    expect(summary.kindled).toBeLessThan(20)
    const done = ids.filter((id) => kindledAt(id) !== null)
    expect(done).toHaveLength(summary.kindled)
    for (const id of done) expect(store.boxes(id).length).toBeGreaterThan(0)
    const rest = await kindleProject(store, context().ctx, { service: fakeService().service })
    expect(rest).toMatchObject({ kindled: 20 - summary.kindled, alreadyKindled: summary.kindled, cancelled: false })
  })

  it('counts a photo as done only once its boxes are written, so the progress and the Kindled count agree', async () => {
    project(9)
    const seen: { done: number; kindled: number }[] = []
    const ctx: JobContext = {
      signal: new AbortController().signal,
      report: (c) => seen.push({ done: c.done ?? 0, kindled: store.counts().byState.kindled }),
      skip: () => {},
    }
    await kindleProject(store, ctx, { service: fakeService().service, batchSize: 4, flushMs: 60_000 })
    expect(seen.map((s) => s.done)).toEqual([0, 4, 8, 9])
    for (const s of seen) expect(s.kindled).toBe(s.done)
  })

  it('writes a batch within flushMs of its first photo, without waiting for the next photo to finish', async () => {
    project(2)
    const written: number[] = []
    let release!: () => void
    const slow: KindleService = {
      ...fakeService().service,
      capacity: 1,
      async kindle(file) {
        if (file.endsWith('/p1.jpg')) await new Promise<void>((r) => (release = r))
        return [{ x: 10, y: 20, w: 50, h: 60, score: 0.9 }]
      },
    }
    const ctx: JobContext = { signal: new AbortController().signal, report: (c) => written.push(c.done ?? 0), skip: () => {} }
    const job = kindleProject(store, ctx, { service: slow, flushMs: 30 })
    await new Promise((r) => setTimeout(r, 200))
    expect(written).toEqual([0, 1]) // p0 written while p1 is still with the teacher
    expect(store.counts().byState.kindled).toBe(1)
    release()
    await job
    expect(written.at(-1)).toBe(2)
  })

  it('leaves an image alone if a person reviews it while the teacher is busy with it', async () => {
    const [a] = project(1)
    const { service } = fakeService({ onKindle: () => store.setReviewed(a, true) })
    const summary = await kindleProject(store, context().ctx, { service })
    expect(summary).toMatchObject({ kindled: 0, reviewed: 1 })
    expect(store.boxes(a)).toEqual([])
  })

  it('skips a photo it cannot read, with the reason, and kindles the rest', async () => {
    project(3)
    const { ctx, skipped } = context()
    const summary = await kindleProject(store, ctx, { service: fakeService({ broken: ['/photos/p1.jpg'] }).service })
    expect(summary).toMatchObject({ kindled: 2, failed: 1 })
    expect(skipped).toEqual([{ path: '/photos/p1.jpg', reason: 'truncated or corrupt JPEG' }])
  })

  it('refuses an unknown teacher or an impossible threshold before doing anything', async () => {
    project(1)
    await expect(kindleProject(store, context().ctx, { teacher: 'retinaface' })).rejects.toThrow(/unknown teacher "retinaface"/)
    await expect(kindleProject(store, context().ctx, { teacher: 'blazeface+retinaface' })).rejects.toThrow(/unknown teacher "retinaface"/)
    await expect(kindleProject(store, context().ctx, { minScore: 2 })).rejects.toThrow(/minScore/)
  })
})
