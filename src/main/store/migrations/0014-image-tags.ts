// Image tags: labels of a whole photo ("smiling"), beside its boxes. A tag is a yes/no per photo, kept in layers by who
// said it — a person (human), a label file (imported), a teacher (kindled) or a trained model (predicted) — one row per
// photo, tag and layer, with the provenance boxes have (teacher and version, run, score). The photo's tag is the top
// layer's value (human over imported over kindled over predicted): kindling again or predicting never overrides what a
// person said, and undoing a person's edit uncovers what the machines said. `rank` is that order as a number.
//
// The photo's tag — the top layer's value — is kept in `image_tags` by triggers, as box_count is for boxes: the Library
// and review-queue filters then read one index (image_tags_by_name: the photos with a tag set, in id order, or one
// photo's tag by its key) instead of probing every layer of every tagged photo for a higher one (60–85 ms a page at
// 100,000 photos measured that way, against a few ms).
//
// `edits` is rebuilt as in migration 7 (SQLite cannot change a CHECK in place) so a person's tag edits are undone with
// the rest.
import type { Migration } from './index.js'

export const imageTags: Migration = {
  version: 14,
  description: 'image tags in layers by source, their filters indexed, and tag edits in the edit log',
  up(db) {
    db.exec(`
        CREATE TABLE tags (
          id              INTEGER PRIMARY KEY,
          image_id        INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
          value           INTEGER NOT NULL CHECK (value IN (0, 1)),
          source          TEXT    NOT NULL CHECK (source IN ('human', 'imported', 'kindled', 'predicted')),
          teacher         TEXT,                         -- kindled: which teacher, and its version
          teacher_version TEXT,
          run_id          INTEGER,                      -- predicted: which training run
          score           REAL,                         -- kindled/predicted: the model's confidence in the value
          created_at      INTEGER NOT NULL,
          updated_at      INTEGER NOT NULL,
          rank            INTEGER GENERATED ALWAYS AS (
            CASE source WHEN 'human' THEN 3 WHEN 'imported' THEN 2 WHEN 'kindled' THEN 1 ELSE 0 END
          ) VIRTUAL,
          UNIQUE (image_id, name, source)
        );
        -- A photo's layers of a tag, top first: the Review page's read and the triggers' choice of the top one.
        CREATE INDEX tags_layers ON tags (image_id, name, rank);
        CREATE TABLE image_tags (
          image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
          name     TEXT    NOT NULL,
          value    INTEGER NOT NULL,                    -- the top layer's
          PRIMARY KEY (image_id, name)
        ) WITHOUT ROWID;
        CREATE INDEX image_tags_by_name ON image_tags (name, value, image_id);
        CREATE TRIGGER image_tag_insert AFTER INSERT ON tags BEGIN
          DELETE FROM image_tags WHERE image_id = NEW.image_id AND name = NEW.name;
          INSERT INTO image_tags (image_id, name, value) SELECT image_id, name, value FROM tags
            WHERE image_id = NEW.image_id AND name = NEW.name ORDER BY rank DESC LIMIT 1;
        END;
        CREATE TRIGGER image_tag_delete AFTER DELETE ON tags BEGIN
          DELETE FROM image_tags WHERE image_id = OLD.image_id AND name = OLD.name;
          INSERT INTO image_tags (image_id, name, value) SELECT image_id, name, value FROM tags
            WHERE image_id = OLD.image_id AND name = OLD.name ORDER BY rank DESC LIMIT 1;
        END;
        CREATE TRIGGER image_tag_update AFTER UPDATE ON tags BEGIN
          DELETE FROM image_tags WHERE image_id = OLD.image_id AND name = OLD.name;
          INSERT INTO image_tags (image_id, name, value) SELECT image_id, name, value FROM tags
            WHERE image_id = OLD.image_id AND name = OLD.name ORDER BY rank DESC LIMIT 1;
          DELETE FROM image_tags WHERE image_id = NEW.image_id AND name = NEW.name;
          INSERT INTO image_tags (image_id, name, value) SELECT image_id, name, value FROM tags
            WHERE image_id = NEW.image_id AND name = NEW.name ORDER BY rank DESC LIMIT 1;
        END;

        DROP TRIGGER forget_edits_of_deleted_image;
        CREATE TABLE edits_v14 (
          id        INTEGER PRIMARY KEY,
          at        INTEGER NOT NULL,
          image_id  INTEGER,                            -- NULL for a class edit
          action    TEXT    NOT NULL CHECK (action IN ('box.add', 'box.update', 'box.delete', 'image.review',
                                                       'class.add', 'class.update', 'class.delete',
                                                       'tag.set', 'tag.clear')),
          before    TEXT,                               -- JSON row before the edit (null for an add)
          after     TEXT,                               -- JSON row after the edit (null for a delete)
          undone_at INTEGER,                            -- set while the edit is undone (it is on the redo stack)
          CHECK ((image_id IS NULL) = (action LIKE 'class.%'))
        );
        INSERT INTO edits_v14 (id, at, image_id, action, before, after, undone_at)
          SELECT id, at, image_id, action, before, after, undone_at FROM edits;
        DROP TABLE edits;
        ALTER TABLE edits_v14 RENAME TO edits;
        CREATE INDEX edits_undone ON edits (undone_at, id);
        CREATE TRIGGER forget_edits_of_deleted_image AFTER DELETE ON images BEGIN
          DELETE FROM edits WHERE image_id = OLD.id;
        END;
      `)
  },
}
