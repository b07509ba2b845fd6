// How the store's modules share one connection: statements prepared once per SQL text, rows decoded in one place,
// one path (and one palette) for new classes, and the per-table modules made once per open database.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { PALETTE, Statements, Store } from '../../../src/main/store/index.js'
import { decode } from '../../../src/main/store/statements.js'
import { tempDir } from '../../helpers/fixtures.js'

describe('Statements', () => {
  it('prepares a statement once per SQL text and hands back the same one after', () => {
    const sql = new Statements(new Database(':memory:'))
    const a = sql.prepare<[], { n: number }>('SELECT 1 AS n')
    expect(sql.prepare('SELECT 1 AS n')).toBe(a)
    expect(sql.prepare('SELECT 2 AS n')).not.toBe(a)
    expect(a.get()).toEqual({ n: 1 })
  })

  it('decodes JSON columns (NULL stays null) and 0/1 flags by their selected names', () => {
    const row = { id: 1, attributes: '{"smiling":{"value":true}}', info: null, randomWeights: 1, valHeldOut: 0 }
    expect(decode(row, { json: ['attributes', 'info'], flags: ['randomWeights', 'valHeldOut'] })).toEqual({
      id: 1,
      attributes: { smiling: { value: true } },
      info: null,
      randomWeights: true,
      valHeldOut: false,
    })
  })
})

describe('Store modules', () => {
  it('are made once per open database', () => {
    const store = Store.open(tempDir(), { create: true })
    expect(store.runs).toBe(store.runs)
    expect(store.devices.byName('this-computer')).toMatchObject({ kind: 'local', hostKey: null })
    store.close()
  })

  it('give every new class, a person’s or an import’s, the first palette colour no class has', () => {
    const store = Store.open(tempDir(), { create: true })
    expect(store.classes()[0].color).toBe(PALETTE[0])
    const cat = store.addClass('cat')
    expect(cat.color).toBe(PALETTE[1])
    const imported = store.classTable.create('dog')
    expect(imported).toEqual({ id: imported.id, name: 'dog', color: PALETTE[2], position: 2 })
    store.updateClass(cat.id, { color: '#000000' })
    expect(store.classTable.create('bird').color).toBe(PALETTE[1])
    expect(store.addClass('fish', '#123456').color).toBe('#123456')
    store.close()
  })
})
