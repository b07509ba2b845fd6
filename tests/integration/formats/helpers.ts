// A throw-away project with a few of dlib-faces' real photos copied into a temp folder (the shared set is read-only),
// and a snapshot of everything an import could change, to prove a failed import changed nothing.
import fs from 'node:fs'
import path from 'node:path'
import { Store } from '../../../src/main/store/index.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

export const LABELLED = [
  '2007_007763.jpg',
  '2008_001009.jpg',
  '2008_001322.jpg',
  '2008_002079.jpg',
  '2008_002470.jpg',
  '2008_002506.jpg',
  '2008_004176.jpg',
  '2008_007676.jpg',
  '2009_004587.jpg',
]

/** `photos/` with the 9 labelled photos, dogs.jpg, and one photo one folder down (`more/`), plus dlib's two XML files. */
export function photoFolder(): { root: string; photos: string; training: string; testing: string } {
  const root = tempDir('kindling-formats-')
  const photos = path.join(root, 'photos')
  fs.mkdirSync(path.join(photos, 'more'), { recursive: true })
  for (const name of [...LABELLED, 'dogs.jpg']) fs.copyFileSync(path.join(dlibFaces, name), path.join(photos, name))
  fs.copyFileSync(path.join(dlibFaces, 'Tom_Cruise_avp_2014_4.jpg'), path.join(photos, 'more', 'Tom_Cruise_avp_2014_4.jpg'))
  const training = path.join(root, 'training.xml')
  const testing = path.join(root, 'testing.xml')
  fs.copyFileSync(path.join(dlibFaces, 'training.xml'), training)
  fs.copyFileSync(path.join(dlibFaces, 'testing.xml'), testing)
  return { root, photos, training, testing }
}

export function newStore(): Store {
  return Store.open(tempDir('kindling-project-'), { create: true })
}

export function snapshot(store: Store) {
  return {
    images: store.db.prepare('SELECT path, sha256, width, height FROM images ORDER BY path').all(),
    boxes: store.db.prepare('SELECT * FROM boxes ORDER BY id').all(),
    classes: store.db.prepare('SELECT * FROM classes ORDER BY id').all(),
    counts: store.counts(),
  }
}

export interface PlainBox {
  file: string
  className: string
  x: number
  y: number
  w: number
  h: number
}

/** Every box in the project, by photo path relative to `root`, sorted: what a round trip must preserve. */
export function boxesOf(store: Store, root: string, source = 'human'): PlainBox[] {
  const rows = store.db
    .prepare<[string], { path: string; name: string; x: number; y: number; w: number; h: number }>(
      `SELECT i.path, c.name, b.x, b.y, b.w, b.h FROM boxes b JOIN images i ON i.id = b.image_id
       JOIN classes c ON c.id = b.class_id WHERE b.source = ?`,
    )
    .all(source)
  return rows
    .map((r) => ({ file: path.relative(root, r.path).split(path.sep).join('/'), className: r.name, x: r.x, y: r.y, w: r.w, h: r.h }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.x - b.x || a.y - b.y || a.className.localeCompare(b.className))
}
