// SQLite cannot change a column's NOT NULL or a CHECK in place, so `edits` is rebuilt (ids kept: the undo and redo
// order is by id). The image trigger goes first and comes back last: while it names `edits`, a rename with no `edits`
// table would fail. Class edits have no image (image_id NULL), so that trigger never touches them.
import type { Migration } from './index.js'

export const classEdits: Migration = {
  version: 7,
  description: 'class add, rename, recolour and delete go into the edit log: edits without an image',
  up(db) {
    db.exec(`
        DROP TRIGGER forget_edits_of_deleted_image;
        CREATE TABLE edits_v7 (
          id        INTEGER PRIMARY KEY,
          at        INTEGER NOT NULL,
          image_id  INTEGER,                            -- NULL for a class edit
          action    TEXT    NOT NULL CHECK (action IN ('box.add', 'box.update', 'box.delete', 'image.review',
                                                       'class.add', 'class.update', 'class.delete')),
          before    TEXT,                               -- JSON row before the edit (null for an add)
          after     TEXT,                               -- JSON row after the edit (null for a delete)
          undone_at INTEGER,                            -- set while the edit is undone (it is on the redo stack)
          CHECK ((image_id IS NULL) = (action LIKE 'class.%'))
        );
        INSERT INTO edits_v7 (id, at, image_id, action, before, after, undone_at)
          SELECT id, at, image_id, action, before, after, undone_at FROM edits;
        DROP TABLE edits;
        ALTER TABLE edits_v7 RENAME TO edits;
        CREATE INDEX edits_undone ON edits (undone_at, id);
        -- The undo history of a photo that left the project has nothing left to undo.
        CREATE TRIGGER forget_edits_of_deleted_image AFTER DELETE ON images BEGIN
          DELETE FROM edits WHERE image_id = OLD.id;
        END;
      `)
  },
}
