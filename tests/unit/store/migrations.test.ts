import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DB_FILE, latestVersion, migrate, Store } from '../../../src/main/store/index.js'
import { openDatabase } from '../../../src/main/store/database.js'
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
    old
      .prepare(
        `INSERT INTO boxes (image_id, class_id, x, y, w, h, source, teacher, score, created_at, updated_at)
       VALUES (2, 1, 10, 20, 30, 40, 'kindled', 'ssd-mobilenetv1', 0.9, 1, 1)`,
      )
      .run()
    old.close()

    const store = Store.open(dir)
    expect(store.db.pragma('user_version', { simple: true })).toBe(latestVersion)
    expect(store.counts()).toEqual({
      images: 3,
      boxes: 1,
      labelled: 2,
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

  it('upgrades a version-6 project with box edits in its log: ids and order kept, class edits now fit beside them', () => {
    const dir = tempDir()
    const old = new Database(path.join(dir, DB_FILE))
    migrate(old, 6)
    const insertImage = old.prepare(
      `INSERT INTO images (path, sha256, bytes, mtime_ms, width, height, format, split, imported_at)
       VALUES (?, ?, 100, 1, 640, 480, 'jpeg', 'train', 1)`,
    )
    insertImage.run('/photos/a.jpg', 'aa')
    insertImage.run('/photos/b.jpg', 'bb')
    const box = {
      id: 7,
      image_id: 1,
      class_id: 1,
      x: 10,
      y: 20,
      w: 30,
      h: 40,
      source: 'human',
      teacher: null,
      teacher_version: null,
      run_id: null,
      score: null,
      attributes: '{}',
      created_at: 1,
      updated_at: 1,
    }
    old
      .prepare(
        `INSERT INTO boxes (id, image_id, class_id, x, y, w, h, source, attributes, created_at, updated_at)
       VALUES (7, 1, 1, 11, 20, 30, 40, 'human', '{}', 1, 2)`,
      )
      .run()
    const insertEdit = old.prepare('INSERT INTO edits (id, at, image_id, action, before, after, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    insertEdit.run(3, 1, 1, 'box.add', null, JSON.stringify(box), null)
    insertEdit.run(5, 2, 1, 'box.update', JSON.stringify(box), JSON.stringify({ ...box, x: 11, updated_at: 2 }), null)
    insertEdit.run(9, 3, 2, 'image.review', JSON.stringify({ reviewed_at: null }), JSON.stringify({ reviewed_at: 3 }), 4)
    old.close()

    const store = Store.open(dir)
    expect(store.db.pragma('user_version', { simple: true })).toBe(latestVersion)
    expect(store.db.prepare('SELECT id, image_id, action, undone_at FROM edits ORDER BY id').all()).toEqual([
      { id: 3, image_id: 1, action: 'box.add', undone_at: null },
      { id: 5, image_id: 1, action: 'box.update', undone_at: null },
      { id: 9, image_id: 2, action: 'image.review', undone_at: 4 },
    ])
    // The old log still undoes and redoes, in one stack with the class edits made after the upgrade.
    const cat = store.addClass('cat', '#2ec4b6')
    expect(store.redo()).toBeUndefined() // the new edit ended the old redo branch
    expect(store.undo()).toMatchObject({ imageId: null, action: 'class.add' })
    expect(store.classes().map((c) => c.name)).toEqual(['face'])
    expect(store.undo()).toEqual({ id: 5, imageId: 1, action: 'box.update' })
    expect(store.boxes(1)[0]).toMatchObject({ id: 7, x: 10 })
    expect(store.redo()).toEqual({ id: 5, imageId: 1, action: 'box.update' })
    expect(store.redo()).toMatchObject({ imageId: null, action: 'class.add' })
    expect(store.classes()).toContainEqual(cat)
    // The rebuilt table keeps its rules, and photos still take their history with them (the trigger came back).
    expect(() => store.db.prepare("INSERT INTO edits (at, image_id, action) VALUES (1, 1, 'box.paint')").run()).toThrow(/CHECK constraint/)
    expect(() => store.db.prepare("INSERT INTO edits (at, image_id, action) VALUES (1, NULL, 'box.add')").run()).toThrow(/CHECK constraint/)
    store.db.prepare('DELETE FROM images WHERE id = 1').run()
    expect(store.db.prepare('SELECT image_id, action FROM edits ORDER BY id').all()).toEqual([{ image_id: null, action: 'class.add' }])
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'edits' AND type = 'index'").all()).toEqual([
      { name: 'edits_undone' },
    ])
    store.close()
  })

  it("upgrades a version-11 project's deployments: those that ran ran TF.js wasm on one thread at fp32", () => {
    const dir = tempDir()
    // From migration 9 on the triggers call kindling_disagree(), which openDatabase registers.
    const old = openDatabase(path.join(dir, DB_FILE))
    migrate(old, 11)
    const insert = old.prepare(`INSERT INTO deployments (device_id, model, iterations, state, info, started_at) VALUES (1, 'm', 5, ?, ?, 1)`)
    insert.run('done', JSON.stringify({ type: 'info', backend: 'wasm', arch: 'arm64' }))
    insert.run('failed', null)
    old.close()

    const store = Store.open(dir)
    const [failed, done] = store.devices.deployments()
    expect(done).toMatchObject({
      requested: { runtime: 'tfjs', threads: 1, precision: 'fp32' },
      runtime: 'tfjs',
      threads: 1,
      precision: 'fp32',
      fallback: null,
    })
    expect(failed).toMatchObject({ requested: { runtime: 'tfjs', threads: 1, precision: 'fp32' }, runtime: null, threads: null })
    // New deployments record what they ask for; the runtime columns keep to the runtimes there are.
    const id = store.devices.startDeployment({
      deviceId: 1,
      model: 'm',
      randomWeights: false,
      iterations: 1,
      requested: { runtime: 'auto', threads: null, precision: 'int8' },
    })
    expect(store.devices.deployment(id)).toMatchObject({ requested: { runtime: 'auto', threads: null, precision: 'int8' }, runtime: null })
    expect(() => store.devices.updateDeployment(id, { runtime: 'tflite' as 'onnx' })).toThrow(/CHECK constraint/)
    store.close()
  })

  it("upgrades a version-12 project's deployments: no run, no comparison; a run's deployment keeps its folder when the run goes", () => {
    const dir = tempDir()
    const old = openDatabase(path.join(dir, DB_FILE))
    migrate(old, 12)
    old.prepare(`INSERT INTO deployments (device_id, model, iterations, state, started_at) VALUES (1, '/p/runs/1/epoch-3', 5, 'done', 1)`).run()
    old.close()

    const store = Store.open(dir)
    const [before] = store.devices.deployments()
    expect(before).toMatchObject({ model: '/p/runs/1/epoch-3', run: null, comparedWith: null })
    const run = store.runs.create({
      name: 'faces-1',
      preset: 'alexnet-ssd-320x240',
      settings: {} as never,
      config: {},
      classes: ['face'],
      backend: 'wasm',
      trainImages: 4,
      valImages: 2,
      valHeldOut: false,
      steps: 10,
    })
    const id = store.devices.startDeployment({
      deviceId: 1,
      model: '/p/runs/2/epoch-3',
      randomWeights: true,
      iterations: 1,
      run: { id: run.id, epoch: 3 },
      comparedWith: before.id,
    })
    expect(store.devices.deployment(id)).toMatchObject({ run: { id: run.id, name: 'faces-1', epoch: 3 }, comparedWith: before.id })
    // The run deleted: the deployment stays, named by what was deployed.
    store.db.prepare('DELETE FROM runs WHERE id = ?').run(run.id)
    expect(store.devices.deployment(id)).toMatchObject({ model: '/p/runs/2/epoch-3', run: null, comparedWith: before.id })
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
