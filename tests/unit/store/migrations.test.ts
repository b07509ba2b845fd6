import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DB_FILE, latestVersion, migrate, Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

describe('store migrations', () => {
  it('upgrades a version-1 project with images and boxes in it, keeping every row', () => {
    const dir = tempDir()
    const old = new Database(path.join(dir, DB_FILE))
    migrate(old, 1)
    expect(old.pragma('user_version', { simple: true })).toBe(1)
    const insert = old.prepare(
      `INSERT INTO images (path, sha256, bytes, mtime_ms, width, height, format, split, imported_at, kindled_at, reviewed_at)
       VALUES (?, ?, 100, 1, 640, 480, 'jpeg', 'train', 1, ?, ?)`,
    )
    insert.run('/photos/a.jpg', 'aa', null, null)
    insert.run('/photos/b.jpg', 'bb', 5, null)
    insert.run('/photos/c.jpg', 'cc', 5, 9)
    old.prepare(
      `INSERT INTO boxes (image_id, class_id, x, y, w, h, source, teacher, score, created_at, updated_at)
       VALUES (2, 1, 10, 20, 30, 40, 'kindled', 'ssd-mobilenetv1', 0.9, 1, 1)`,
    ).run()
    old.close()

    const store = Store.open(dir)
    expect(store.db.pragma('user_version', { simple: true })).toBe(latestVersion)
    expect(store.counts()).toEqual({
      images: 3,
      boxes: 1,
      reviewed: 1,
      kindled: 2,
      classes: 1,
      byState: { new: 1, kindled: 1, reviewed: 1 },
    })
    expect(store.boxes(2)).toMatchObject([{ x: 10, y: 20, w: 30, h: 40, source: 'kindled', score: 0.9 }])
    // The new edit log works on the upgraded data.
    const box = store.boxes(2)[0]
    store.updateBox(box.id, { x: 11 })
    store.undo()
    expect(store.boxes(2)[0].x).toBe(10)
    store.close()
  })

  it('refuses a project written by a newer studio instead of guessing at its schema', () => {
    const dir = tempDir()
    const db = new Database(path.join(dir, DB_FILE))
    db.pragma(`user_version = ${latestVersion + 1}`)
    db.close()
    expect(() => Store.open(dir)).toThrow(/newer than this Kindling Studio understands/)
  })

  it('says a folder is not a project rather than creating one when asked only to open', () => {
    expect(() => Store.open(tempDir())).toThrow(/is not a Kindling project/)
  })

  it('creates missing folders for a new project, and names the part of a path that cannot be a folder', () => {
    const parent = tempDir()
    Store.open(path.join(parent, 'a', 'b', 'project'), { create: true }).close()
    fs.writeFileSync(path.join(parent, 'notes.txt'), 'x')
    expect(() => Store.open(path.join(parent, 'notes.txt', 'project'), { create: true })).toThrow(
      `cannot create a project in ${path.join(parent, 'notes.txt', 'project')}: ${path.join(parent, 'notes.txt')} is a file`,
    )
  })
})
