// The tag requests through the real dispatcher (validation) and a real project store: a person's tag set, flipped,
// taken back and undone, the photo's tags in `review.image`, the review queue filtered by a tag, and bad requests
// refused with the field named.
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { reviewHandlers } from '../../../src/main/review/index.js'
import { Store } from '../../../src/main/store/index.js'
import type { Studio, StudioContext } from '../../../src/main/studio.js'
import { tempDir } from '../../helpers/fixtures.js'

function project(n = 4) {
  const store = Store.open(tempDir(), { create: true })
  store.addImages(
    Array.from({ length: n }, (_, i) => ({
      path: `/photos/${i + 1}.jpg`,
      sha256: `sha-${i + 1}`,
      bytes: 1,
      mtimeMs: 1,
      width: 640,
      height: 480,
      format: 'jpeg',
      split: 'train' as const,
    })),
  )
  const studio = { handlers: reviewHandlers({ requireStore: () => store, projectChanged: () => {} } as StudioContext) } as unknown as Studio
  let id = 0
  const send = (method: string, params: unknown) => dispatch(studio, { id: ++id, method, params })
  const call = async (method: string, params: unknown) => {
    const response = await send(method, params)
    if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
    return response.result as never
  }
  const fails = async (method: string, params: unknown) => {
    const response = await send(method, params)
    if (response.ok) throw new Error(`${method} succeeded`)
    return response.error
  }
  return { store, call, fails }
}

describe('tag requests', () => {
  it('set, flip, take back and undo a person’s tag over the teacher’s, as review.image shows it', async () => {
    const { store, call } = project()
    store.tagTable.put({ imageId: 2, name: 'smiling', value: true, source: 'kindled', teacher: 'face-expression', score: 0.8 })
    const shown = async (id: number) =>
      ((await call('review.image', { id })) as { tags: { name: string; value: boolean; source: string }[] }).tags.map(
        (t) => `${t.name}=${t.value}/${t.source}`,
      )
    expect(await shown(2)).toEqual(['smiling=true/kindled'])
    const set = (await call('tags.set', { imageId: 2, name: 'smiling', value: false })) as { tags: { layers: unknown[] }[] }
    expect(set.tags[0]).toMatchObject({ name: 'smiling', value: false, source: 'human' })
    expect(set.tags[0].layers).toHaveLength(2)
    expect(await shown(2)).toEqual(['smiling=false/human'])
    await call('tags.set', { imageId: 2, name: ' waving ', value: true }) // trimmed, as class names are
    expect(await call('tags.names', {})).toEqual({ names: ['smiling', 'waving'] })
    await call('tags.clear', { imageId: 2, name: 'smiling' })
    expect(await shown(2)).toEqual(['smiling=true/kindled', 'waving=true/human'])
    expect(await call('edits.undo', {})).toMatchObject({ edit: { imageId: 2, action: 'tag.clear' } })
    expect(await shown(2)).toEqual(['smiling=false/human', 'waving=true/human'])
    expect(await call('tags.list', { imageId: 2 })).toMatchObject({ tags: [{ name: 'smiling' }, { name: 'waving' }] })
  })

  it('walks the review queue over the photos with (or without) a tag', async () => {
    const { call } = project()
    await call('tags.set', { imageId: 1, name: 'smiling', value: true })
    await call('tags.set', { imageId: 3, name: 'smiling', value: true })
    await call('tags.set', { imageId: 4, name: 'smiling', value: false })
    const queue = (value: boolean) =>
      call('review.queue', { filter: 'all', sort: 'name', tag: { name: 'smiling', value }, offset: 0, limit: 10 }) as Promise<{
        total: number
        ids: number[]
      }>
    expect(await queue(true)).toMatchObject({ total: 2, ids: [1, 3] })
    expect(await queue(false)).toMatchObject({ total: 2, ids: [2, 4] })
    expect(await call('review.step', { filter: 'all', sort: 'name', tag: { name: 'smiling', value: true }, from: 1 })).toEqual({ ids: [3] })
  })

  it('refuses a bad tag name, an unknown photo and a malformed filter, naming the field', async () => {
    const { store, fails } = project()
    expect(await fails('tags.set', { imageId: 1, name: 'two words', value: true })).toMatchObject({ code: 'invalid' })
    expect((await fails('tags.set', { imageId: 1, name: 'two words', value: true })).message).toMatch(/name/)
    expect(await fails('tags.set', { imageId: 1, name: '', value: true })).toMatchObject({ code: 'invalid' })
    expect(await fails('tags.set', { imageId: 99, name: 'smiling', value: true })).toMatchObject({ code: 'not_found', field: 'params.imageId' })
    expect(await fails('tags.set', { imageId: 1, name: 'smiling', value: 'yes' })).toMatchObject({ code: 'invalid' })
    expect(await fails('review.queue', { filter: 'all', tag: { name: 'smiling' } })).toMatchObject({ code: 'invalid' })
    expect(store.db.prepare('SELECT count(*) AS n FROM tags').get()).toEqual({ n: 0 })
  })
})
