import type { Migration } from './index.js'

export const imagesClassesBoxes: Migration = {
  version: 1,
  description: 'images, classes and boxes with provenance',
  up(db) {
    db.exec(`
        CREATE TABLE images (
          id          INTEGER PRIMARY KEY,
          path        TEXT    NOT NULL UNIQUE,          -- absolute; images stay where the user keeps them
          sha256      TEXT    NOT NULL UNIQUE,          -- content hash: the same photo is imported once
          bytes       INTEGER NOT NULL,
          mtime_ms    INTEGER NOT NULL,
          width       INTEGER NOT NULL,                 -- after EXIF orientation: the frame boxes live in
          height      INTEGER NOT NULL,
          format      TEXT    NOT NULL,
          split       TEXT    NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'val', 'test')),
          imported_at INTEGER NOT NULL,
          kindled_at  INTEGER,                          -- set when a teacher has labelled the image
          reviewed_at INTEGER                           -- set when a person has accepted the image's boxes
        );
        CREATE TABLE classes (
          id       INTEGER PRIMARY KEY,
          name     TEXT    NOT NULL UNIQUE,
          color    TEXT    NOT NULL,
          position INTEGER NOT NULL
        );
        INSERT INTO classes (name, color, position) VALUES ('face', '#ff9f1c', 0);
        CREATE TABLE boxes (
          id              INTEGER PRIMARY KEY,
          image_id        INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          class_id        INTEGER NOT NULL REFERENCES classes (id),
          x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,   -- pixels, top-left origin
          source          TEXT    NOT NULL CHECK (source IN ('kindled', 'human', 'predicted')),
          teacher         TEXT,                         -- kindled: which detector, and its version
          teacher_version TEXT,
          run_id          INTEGER,                      -- predicted: which training run
          score           REAL,                         -- kindled/predicted: the model's confidence
          attributes      TEXT    NOT NULL DEFAULT '{}',-- JSON, e.g. {"smiling":{"value":true,"score":0.93,"source":"kindled"}}
          created_at      INTEGER NOT NULL,
          updated_at      INTEGER NOT NULL
        );
        CREATE INDEX boxes_by_image ON boxes (image_id);
      `)
  },
}
