// One row per image and its latest kindling: a photo where the teacher found no face leaves no box, and without this
// row a resumed job could not tell it from one never kindled.
import type { Migration } from './index.js'

export const kindlings: Migration = {
  version: 4,
  description: 'what each image was kindled with, so kindling resumes and an empty result is remembered too',
  up(db) {
    db.exec(`
        CREATE TABLE IF NOT EXISTS kindlings (
          image_id        INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
          teacher         TEXT    NOT NULL,
          teacher_version TEXT    NOT NULL,
          settings        TEXT    NOT NULL,   -- JSON: minScore, smile, zoomOut, zoomOutWhen
          faces           INTEGER NOT NULL,
          kindled_at      INTEGER NOT NULL
        )`)
  },
}
