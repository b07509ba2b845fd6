// Bug 4 of issue 14: the kindling progress said "4 / 6" while the Kindled tab said 3. Through the Studio with the real
// teacher: every progress event of the job must agree with the counts the studio has sent before it, and with the
// store itself, at that moment.
import { afterAll, describe, expect, it } from 'vitest'
import type { Counts, JobProgress, StudioEvent } from '../../../src/shared/api.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

const studio = new Studio()
afterAll(() => studio.close())

describe('kindling progress and the project counts', () => {
  it('never reports a photo as done before the counts sent to the UI include it', async () => {
    await studio.openProject(tempDir(), { create: true })
    await studio.importFolder(dlibFaces).finished
    const photos = studio.project!.counts().images

    const seen: { progress: JobProgress; sent: number; stored: number }[] = []
    let sent: Counts | undefined
    const listener = (event: StudioEvent) => {
      if (event.event === 'project.changed') sent = event.payload.counts
      if (event.event !== 'job.progress' || event.payload.kind !== 'kindle') return
      seen.push({ progress: event.payload, sent: sent?.byState.kindled ?? 0, stored: studio.project!.counts().byState.kindled })
    }
    studio.on('event', listener)
    // The Library's settings (batches of up to 64, written every 500 ms): photos finish between two writes.
    const { job } = studio.kindle({ teacher: 'blazeface', workers: 2, tiles: 'off' })
    const final = await job.finished
    studio.off('event', listener)
    const checked = seen
      .filter((s) => s.progress.jobId === job.id)
      .map(({ progress, sent, stored }) => ({ done: progress.done - progress.skipped.length, sent, stored }))

    expect(final).toMatchObject({ state: 'done', done: photos, total: photos })
    expect(checked.length).toBeGreaterThan(2)
    for (const c of checked) {
      expect(c.stored).toBe(c.done)
      expect(c.sent).toBe(c.done)
    }
    expect(checked.at(-1)!.done).toBe(photos)
  })
})
