// Evaluations (issue 16): a run's checkpoint scored on a split. The expensive part — decoding and inferring every photo
// — is kept: each photo's detections (every one above a low floor, after NMS, at most top-K) as one blob of float32
// [classIndex, x, y, w, h, score] rows in photo pixels, so matching against the labels as they are now is redone
// cheaply whenever they change. A run also keeps the score threshold a person chose for deploying it (NULL: the
// preset's own).
import type { Migration } from './index.js'

export const evaluations: Migration = {
  version: 17,
  description: "evaluations of a run's checkpoint on a split with their kept detections; a run's deploy threshold",
  up(db) {
    db.exec(`
        ALTER TABLE runs ADD COLUMN threshold REAL;
        CREATE TABLE evaluations (
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          epoch INTEGER NOT NULL,
          split TEXT NOT NULL CHECK (split IN ('val', 'test')),
          checkpoint TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
          error TEXT,
          photos INTEGER NOT NULL,
          done INTEGER NOT NULL DEFAULT 0,
          skipped INTEGER NOT NULL DEFAULT 0,
          detections INTEGER NOT NULL DEFAULT 0,
          min_score REAL NOT NULL,
          top_k INTEGER NOT NULL,
          classes TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          pid INTEGER
        );
        CREATE INDEX evaluations_checkpoint ON evaluations (run_id, epoch, split);
        CREATE TABLE evaluation_photos (
          evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
          image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          width INTEGER NOT NULL,
          height INTEGER NOT NULL,
          detections BLOB NOT NULL,
          PRIMARY KEY (evaluation_id, image_id)
        ) WITHOUT ROWID;
      `)
  },
}
