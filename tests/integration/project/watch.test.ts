// Bug 4 of issue 14: a studio open on a project did not notice a `kindling import` or `kindling kindle` run beside it.
// The studio here is the one a browser page would be talking to; the changes come from a real child process (the CLI
// as a user types it) and from a second studio in this process (its own connection, as a second window would have).
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { StudioEvent } from '../../../src/shared/api.js'
import { WATCH_EVERY_MS } from '../../../src/main/project/watch.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, dlibPhotoCount, repoRoot, tempDir } from '../../helpers/fixtures.js'

const studios: Studio[] = []
afterAll(() => Promise.all(studios.map((s) => s.close())))

function newStudio(): Studio {
  const studio = new Studio()
  studios.push(studio)
  return studio
}

/** The events the studio sends from now on, with when each came. */
function record(studio: Studio): { event: StudioEvent; at: number }[] {
  const seen: { event: StudioEvent; at: number }[] = []
  studio.on('event', (event) => seen.push({ event, at: performance.now() }))
  return seen
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("the studio's watch on changes made by other processes", () => {
  it('tells its clients, with fresh counts, within 2 s of a kindling import in another process', async () => {
    const dir = tempDir()
    const studio = newStudio()
    await studio.openProject(dir, { create: true })
    const seen = record(studio)

    await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), 'import', dlibFaces, '--project', dir], {
      env: { ...process.env, KINDLING_HOME: tempDir() },
    })
    const ended = performance.now()
    await settle(2000)

    const external = seen.filter((s) => s.event.event === 'project.external-change')
    expect(external.length).toBeGreaterThan(0)
    expect(external[0].event.payload).toEqual({ dir: path.resolve(dir) })
    const counts = seen.flatMap((s) => (s.event.event === 'project.changed' ? [{ ...s.event.payload.counts, at: s.at }] : []))
    const last = counts.at(-1)!
    expect(last.images).toBe(dlibPhotoCount())
    expect(last.byState.new).toBe(dlibPhotoCount())
    expect(last.at - ended).toBeLessThan(2000)
    // The counts go first, so a page that refetches on the external change already has the new totals.
    const firstExternal = seen.indexOf(external[0])
    expect(seen.slice(0, firstExternal).some((s) => s.event.event === 'project.changed')).toBe(true)
  }, 120_000)

  it('tells its clients while another studio kindles the same project, and is quiet when nothing changes', async () => {
    const dir = tempDir()
    const studio = newStudio()
    await studio.openProject(dir, { create: true })
    await studio.importFolder(dlibFaces).finished
    const seen = record(studio)

    // Nothing else writes: no events at all, however long the watch runs.
    await settle(WATCH_EVERY_MS * 2.5)
    expect(seen).toEqual([])

    const other = newStudio()
    await other.openProject(dir)
    const kindlerSeen = record(other)
    const { job } = other.kindle({ teacher: 'blazeface', workers: 1, tiles: 'off' })
    await job.finished
    const ended = performance.now()
    await settle(2000)

    const changes = seen.flatMap((s) => (s.event.event === 'project.changed' ? [{ counts: s.event.payload.counts, at: s.at }] : []))
    expect(changes.length).toBeGreaterThan(0)
    expect(changes.at(-1)!.counts.byState.kindled).toBe(dlibPhotoCount())
    expect(changes.at(-1)!.at - ended).toBeLessThan(2000)
    expect(seen.some((s) => s.event.event === 'project.external-change')).toBe(true)
    // Its own writes are not another process's: the studio that kindled hears no external change.
    expect(kindlerSeen.some((s) => s.event.event === 'project.external-change')).toBe(false)
    expect(kindlerSeen.some((s) => s.event.event === 'project.changed')).toBe(true)
  }, 120_000)

  it('stops watching when the project closes', async () => {
    const dir = tempDir()
    const studio = newStudio()
    await studio.openProject(dir, { create: true })
    await studio.close()
    const seen = record(studio)
    const other = newStudio()
    await other.openProject(dir)
    await other.importFolder(dlibFaces).finished
    await settle(WATCH_EVERY_MS * 2.5)
    expect(seen).toEqual([])
  }, 60_000)
})
