// count(*) over 100,000 images and 300,000 boxes takes tens of milliseconds on every page view; triggers keep the
// numbers as rows instead. Seeded from the data, so upgraded projects start right.
//
// The box tally's triggers (tally_box_insert, tally_box_delete) are replaced by migration 10, which leaves predicted
// boxes out of the count.
import type { Migration } from './index.js'

export const tallies: Migration = {
  version: 3,
  description: 'running tallies (the Library header costs the same at 100,000 images as at 10); edits go with their image',
  up(db) {
    db.exec(`
        CREATE TABLE tallies (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO tallies (key, n) VALUES
          ('state:new',      (SELECT count(*) FROM images WHERE state = 'new')),
          ('state:kindled',  (SELECT count(*) FROM images WHERE state = 'kindled')),
          ('state:reviewed', (SELECT count(*) FROM images WHERE state = 'reviewed')),
          ('kindled',        (SELECT count(*) FROM images WHERE kindled_at IS NOT NULL)),
          ('boxes',          (SELECT count(*) FROM boxes));

        CREATE TRIGGER tally_image_insert AFTER INSERT ON images BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'state:' || NEW.state;
          UPDATE tallies SET n = n + 1 WHERE key = 'kindled' AND NEW.kindled_at IS NOT NULL;
        END;
        CREATE TRIGGER tally_image_delete AFTER DELETE ON images BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'state:' || OLD.state;
          UPDATE tallies SET n = n - 1 WHERE key = 'kindled' AND OLD.kindled_at IS NOT NULL;
        END;
        CREATE TRIGGER tally_image_update AFTER UPDATE OF kindled_at, reviewed_at ON images
        WHEN OLD.state IS NOT NEW.state OR (OLD.kindled_at IS NULL) IS NOT (NEW.kindled_at IS NULL) BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'state:' || OLD.state;
          UPDATE tallies SET n = n + 1 WHERE key = 'state:' || NEW.state;
          UPDATE tallies SET n = n + (NEW.kindled_at IS NOT NULL) - (OLD.kindled_at IS NOT NULL) WHERE key = 'kindled';
        END;
        -- The undo history of a photo that left the project has nothing left to undo.
        CREATE TRIGGER forget_edits_of_deleted_image AFTER DELETE ON images BEGIN
          DELETE FROM edits WHERE image_id = OLD.id;
        END;
        CREATE TRIGGER tally_box_insert AFTER INSERT ON boxes BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'boxes';
        END;
        CREATE TRIGGER tally_box_delete AFTER DELETE ON boxes BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'boxes';
        END;
      `)
  },
}
