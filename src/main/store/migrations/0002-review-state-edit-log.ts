import type { Migration } from './index.js'

export const reviewStateAndEditLog: Migration = {
  version: 2,
  description: 'review state for the Library filters, and the edit log behind undo',
  up(db) {
    db.exec(`
        -- Derived from the two timestamps so it can never disagree with them; indexed for filters and counts.
        ALTER TABLE images ADD COLUMN state TEXT GENERATED ALWAYS AS (
          CASE WHEN reviewed_at IS NOT NULL THEN 'reviewed' WHEN kindled_at IS NOT NULL THEN 'kindled' ELSE 'new' END
        ) VIRTUAL;
        CREATE INDEX images_by_state_name ON images (state, path);
        CREATE INDEX images_by_state_id ON images (state, id);
        CREATE TABLE edits (
          id        INTEGER PRIMARY KEY,
          at        INTEGER NOT NULL,
          image_id  INTEGER NOT NULL,
          action    TEXT    NOT NULL CHECK (action IN ('box.add', 'box.update', 'box.delete', 'image.review')),
          before    TEXT,                               -- JSON row before the edit (null for an add)
          after     TEXT,                               -- JSON row after the edit (null for a delete)
          undone_at INTEGER                             -- set while the edit is undone (it is on the redo stack)
        );
        CREATE INDEX edits_undone ON edits (undone_at, id);
      `)
  },
}
