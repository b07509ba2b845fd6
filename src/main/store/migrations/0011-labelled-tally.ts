// Labelled photos — a label box, or reviewed (a person said there is no face: a true negative) — are what a training
// run learns from; the Train page says how many before it starts, from this tally. A photo is labelled when
// `(box_count > 0 OR reviewed_at IS NOT NULL)`; box_count counts labels only (migration 10).
import type { Migration } from './index.js'

export const labelledTally: Migration = {
  version: 11,
  description: 'a running tally of labelled photos',
  up(db) {
    db.exec(`
        INSERT INTO tallies (key, n) VALUES ('labelled', (SELECT count(*) FROM images i WHERE (i.box_count > 0 OR i.reviewed_at IS NOT NULL)));
        CREATE TRIGGER tally_labelled_insert AFTER INSERT ON images WHEN (NEW.box_count > 0 OR NEW.reviewed_at IS NOT NULL) BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'labelled';
        END;
        CREATE TRIGGER tally_labelled_delete AFTER DELETE ON images WHEN (OLD.box_count > 0 OR OLD.reviewed_at IS NOT NULL) BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'labelled';
        END;
        CREATE TRIGGER tally_labelled_update AFTER UPDATE OF box_count, reviewed_at ON images
        WHEN (OLD.box_count > 0 OR OLD.reviewed_at IS NOT NULL) IS NOT (NEW.box_count > 0 OR NEW.reviewed_at IS NOT NULL) BEGIN
          UPDATE tallies SET n = n + (NEW.box_count > 0 OR NEW.reviewed_at IS NOT NULL) - (OLD.box_count > 0 OR OLD.reviewed_at IS NOT NULL) WHERE key = 'labelled';
        END;
      `)
  },
}
