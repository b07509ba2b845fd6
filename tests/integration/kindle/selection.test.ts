// `kindle.start` as the Library sends it for "Selected photos" with zoom-out unticked: through the dispatcher (the
// API's validation included) on a real project with the real teacher.
import { afterAll, describe, expect, it } from 'vitest'
import type { JobProgress, StudioEvent } from '../../../src/shared/api.js'
import { dispatch } from '../../../src/main/dispatcher.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

const studio = new Studio()
afterAll(() => studio.close())

/** Resolves with the job's last progress once it is no longer running. */
function finished(jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const listener = (event: StudioEvent) => {
      if (event.event === 'job.progress' && event.payload.jobId === jobId && event.payload.state !== 'running') {
        studio.off('event', listener)
        resolve(event.payload)
      }
    }
    studio.on('event', listener)
  })
}

describe('kindle.start with a selection and options', () => {
  it('kindles only the selected photos, and records zoom-out off in their settings', async () => {
    await studio.openProject(tempDir(), { create: true })
    await studio.importFolder(dlibFaces).finished
    const store = studio.project!
    const ids = store.db
      .prepare<[], { id: number }>('SELECT id FROM images ORDER BY id')
      .all()
      .map((r) => r.id)
    expect(ids.length).toBeGreaterThan(4)
    const selected = [ids[1], ids[3]]

    const response = await dispatch(studio, {
      id: 1,
      method: 'kindle.start',
      params: { teacher: 'blazeface', imageIds: selected, zoomOut: false, tiles: 'off' },
    })
    expect(response).toMatchObject({ ok: true })
    const { jobId } = (response as { result: { jobId: string } }).result
    const progress = await finished(jobId)
    expect(progress).toMatchObject({ state: 'done', done: 2, total: 2 })

    const kindlings = store.db
      .prepare<[], { image_id: number; teacher: string; settings: string }>(
        'SELECT image_id, teacher, settings FROM kindlings ORDER BY image_id',
      )
      .all()
    expect(kindlings.map((k) => k.image_id)).toEqual(selected)
    for (const k of kindlings) {
      expect(k.teacher).toBe('blazeface')
      expect(JSON.parse(k.settings)).toMatchObject({ zoomOut: 0, zoomOutWhen: null })
    }
    const kindledImages = store.db
      .prepare<[], { id: number }>('SELECT id FROM images WHERE kindled_at IS NOT NULL ORDER BY id')
      .all()
      .map((r) => r.id)
    expect(kindledImages).toEqual(selected)
    const boxesOutside = store.db
      .prepare<[string], { n: number }>('SELECT count(*) AS n FROM boxes WHERE image_id NOT IN (SELECT value FROM json_each(?))')
      .get(JSON.stringify(selected))!
    expect(boxesOutside.n).toBe(0)

    // Zoom-out left on (the default) is another setting: the same two photos are kindled again, with the default factor.
    const again = await dispatch(studio, {
      id: 2,
      method: 'kindle.start',
      params: { teacher: 'blazeface', imageIds: selected, tiles: 'off' },
    })
    await finished((again as { result: { jobId: string } }).result.jobId)
    const settings = store.db.prepare<[], { settings: string }>('SELECT settings FROM kindlings').all()
    expect(settings.map((s) => JSON.parse(s.settings).zoomOut)).toEqual([1, 1])
  }, 120_000)

  it('rejects a zoom-out that is not on or off, naming the field', async () => {
    expect(await dispatch(studio, { id: 3, method: 'kindle.start', params: { zoomOut: 2 } })).toMatchObject({
      ok: false,
      error: { field: 'params.zoomOut' },
    })
  })
})
