// Kindling with smiles tags the whole photo: a few GENKI-4K photos (copied to a temp folder) kindled with `smile`, each
// gets a `smiling` tag in the kindled layer — the smiling attribute of its most confident face — written with its boxes;
// kindling again replaces it, and a person's say stays on top.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobContext } from '../../../src/main/jobs/index.js'
import { kindleProject } from '../../../src/main/kindle/index.js'
import { Studio } from '../../../src/main/studio.js'
import { genkiImages, tempDir } from '../../helpers/fixtures.js'

// Two people label smiling and two not (genki4k-smile.csv), to see both values.
const PHOTOS = ['file0000000000000001.jpg', 'file0000000000000002.jpg', 'file0000000000003117.jpg', 'file0000000000002301.jpg']

let home: string | undefined
const studio = new Studio()
beforeAll(() => {
  home = process.env.KINDLING_HOME
  process.env.KINDLING_HOME = tempDir('kindling-home-')
})
afterAll(async () => {
  await studio.close()
  if (home === undefined) delete process.env.KINDLING_HOME
  else process.env.KINDLING_HOME = home
})

describe('kindling with smiles', () => {
  it('tags each photo smiling as its most confident face is, in the same write as its boxes', async () => {
    const photos = tempDir('kindling-smile-photos-')
    for (const f of PHOTOS) fs.copyFileSync(path.join(genkiImages, f), path.join(photos, f))
    await studio.openProject(tempDir('kindling-project-'), { create: true })
    expect((await studio.importFolder(photos).finished).state).toBe('done')
    const store = studio.project!
    const ctx: JobContext = { signal: new AbortController().signal, report: () => {}, skip: () => {} }

    await kindleProject(store, ctx, { smile: true, workers: 1 })
    const images = store.page({ sort: 'name', offset: 0, limit: 10 }).items
    expect(images).toHaveLength(PHOTOS.length)
    const values: boolean[] = []
    for (const image of images) {
      const boxes = store.boxes(image.id).filter((b) => b.source === 'kindled')
      expect(boxes.length).toBeGreaterThan(0) // every GENKI-4K photo is one face, close up
      const main = boxes.reduce((a, b) => ((b.score ?? 0) > (a.score ?? 0) ? b : a))
      const attribute = main.attributes.smiling as { value: boolean; score: number }
      const tags = store.tags(image.id)
      expect(tags).toEqual([
        expect.objectContaining({
          name: 'smiling',
          value: attribute.value,
          source: 'kindled',
          teacher: 'face-expression',
          score: attribute.score,
        }),
      ])
      values.push(attribute.value)
    }
    expect(store.page({ tag: { name: 'smiling', value: true }, sort: 'name', offset: 0, limit: 10 }).total).toBe(values.filter(Boolean).length)

    // A person says otherwise on one photo; kindling again replaces the kindled layer, never theirs.
    const first = images[0]
    store.setTag(first.id, 'smiling', !values[0])
    await kindleProject(store, ctx, { smile: true, workers: 1, redo: true })
    expect(store.tags(first.id)[0]).toMatchObject({ value: !values[0], source: 'human' })
    expect(store.tags(first.id)[0].layers.map((l) => l.source)).toEqual(['human', 'kindled'])
    expect(store.db.prepare("SELECT count(*) AS n FROM tags WHERE source = 'kindled'").get()).toEqual({ n: PHOTOS.length })
  })
})
