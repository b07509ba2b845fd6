// What the studio's watch on other processes (project/watch.ts) relies on: better-sqlite3 hands back SQLite's
// data_version as a number that moves when another connection commits, and stays put for this connection's own writes.
import { afterEach, describe, expect, it } from 'vitest'
import { Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

const photo = (n: number) => ({
  path: `/photos/p${n}.jpg`,
  sha256: `sha${n}`,
  bytes: 1000,
  mtimeMs: 1,
  width: 400,
  height: 300,
  format: 'jpeg',
  split: 'train' as const,
})

const open: Store[] = []
afterEach(() => open.splice(0).forEach((s) => s.close()))

describe('Store.dataVersion', () => {
  it('moves when another connection commits, not for its own writes or reads', () => {
    const dir = tempDir()
    const studio = Store.open(dir, { create: true })
    const cli = Store.open(dir)
    open.push(studio, cli)

    const start = studio.dataVersion()
    expect(typeof start).toBe('number')
    studio.addImages([photo(1)])
    studio.counts()
    expect(studio.dataVersion()).toBe(start)

    cli.addImages([photo(2)])
    const afterOther = studio.dataVersion()
    expect(afterOther).not.toBe(start)
    expect(studio.dataVersion()).toBe(afterOther) // asking again is not a change
    expect(studio.counts().images).toBe(2)

    // A transaction that is rolled back commits nothing.
    expect(() =>
      cli.transaction(() => {
        cli.addImages([photo(3)])
        throw new Error('undone')
      }),
    ).toThrow('undone')
    expect(studio.dataVersion()).toBe(afterOther)
  })
})
