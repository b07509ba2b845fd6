import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobProgress } from '../../src/shared/api.js'
import { splitFor } from '../../src/main/jobs/index.js'
import { ThumbnailCache } from '../../src/main/media/index.js'
import { Studio } from '../../src/main/studio.js'
import { dlibFacesWithBadFiles, dlibPhotoCount, genkiImages, tempDir } from '../helpers/fixtures.js'

let studio: Studio
afterEach(() => studio?.close())

async function importWithEvents(dir: string) {
  const events: JobProgress[] = []
  studio.on('event', (e) => e.event === 'job.progress' && events.push(e.payload))
  const final = await studio.importFolder(dir).finished
  return { final, events }
}

describe('photo import', () => {
  it('imports every good photo, skips bad files with their reasons, and a second import adds nothing', async () => {
    const photos = dlibFacesWithBadFiles()
    studio = new Studio()
    const project = tempDir()
    await studio.openProject(project, { create: true })

    const { final } = await importWithEvents(photos.dir)
    expect(final).toMatchObject({ state: 'done', imported: dlibPhotoCount(), duplicates: 0, total: dlibPhotoCount() + 2 })
    expect(final.skipped).toEqual([
      { path: photos.text, reason: 'not an image (it is a text file)' },
      { path: photos.truncated, reason: expect.stringMatching(/^truncated or corrupt JPEG/) },
    ])
    const { items } = studio.project!.page({ sort: 'name', offset: 0, limit: 100 })
    expect(items).toHaveLength(12)
    const thumbs = new ThumbnailCache(project)
    for (const item of items) expect(fs.existsSync(thumbs.pathFor(item.sha256))).toBe(true)

    const again = await importWithEvents(photos.dir)
    expect(again.final).toMatchObject({ state: 'done', imported: 0, duplicates: 12 })
    expect(studio.project!.counts().images).toBe(12)
  })

  it('imports a copy of a photo under another name once, counting the copy as a duplicate', async () => {
    const photos = dlibFacesWithBadFiles()
    fs.mkdirSync(path.join(photos.dir, 'nested', 'deeper'), { recursive: true })
    fs.copyFileSync(path.join(photos.dir, 'dogs.jpg'), path.join(photos.dir, 'nested', 'deeper', 'dogs-copy.jpg'))
    studio = new Studio()
    await studio.openProject(tempDir(), { create: true })
    const { final } = await importWithEvents(photos.dir)
    expect(final).toMatchObject({ state: 'done', imported: 12, duplicates: 1 })
  })

  it('reports progress with counts and an ETA, and cancel keeps what was imported', async () => {
    studio = new Studio()
    await studio.openProject(tempDir(), { create: true })
    const events: JobProgress[] = []
    const job = studio.importFolder(genkiImages)
    studio.on('event', (e) => {
      if (e.event !== 'job.progress') return
      events.push(e.payload)
      if (e.payload.done >= 300) studio.cancelJob(job.id)
    })
    const final = await job.finished
    expect(final.state).toBe('cancelled')
    expect(final.imported).toBeGreaterThanOrEqual(300)
    expect(final.total).toBeGreaterThan(7000)
    expect(studio.project!.counts().images).toBe(final.imported)
    const running = events.filter((e) => e.state === 'running' && e.etaMs !== null)
    expect(running.length).toBeGreaterThan(0)
    expect(running.at(-1)!.etaMs).toBeGreaterThan(0)
    expect(running.at(-1)!.perSec).toBeGreaterThan(0)
  })

  it('assigns splits by file name with GENKI’s rule, so GENKI photos land in their published split', () => {
    const csv = fs
      .readFileSync(path.join(genkiImages, '..', 'genki4k-smile.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
    for (const line of csv.slice(0, 500)) {
      const [file, , , , , split] = line.split(',')
      expect(splitFor(file)).toBe(split)
    }
  })

  it('refuses to import a folder that does not exist, naming it', async () => {
    studio = new Studio()
    await studio.openProject(tempDir(), { create: true })
    expect(() => studio.importFolder('/no/such/folder')).toThrow('folder not found: /no/such/folder')
  })
})
