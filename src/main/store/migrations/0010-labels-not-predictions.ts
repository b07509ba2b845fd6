// The header's box count, the "no boxes" filter and a photo's box count speak of labels (kindled, human, imported).
// Predictions are a model's opinion, written in bulk on every predict: counted as boxes they made a photo the model
// merely guessed on leave "no boxes", and the header jump by thousands. A person editing a predicted box makes it a
// human box (source changes), so that change counts it in.
//
// These triggers replace migration 3's tally_box_* and migration 5's box_count_*: a box is a label when
// `source <> 'predicted'`, and the tally and the photo's box_count move together.
import type { Migration } from './index.js'

export const labelsNotPredictions: Migration = {
  version: 10,
  description: "a model's predicted boxes are not labels: the box tally and each photo's box count leave them out",
  up(db) {
    db.exec(`
        DROP TRIGGER tally_box_insert;
        DROP TRIGGER tally_box_delete;
        DROP TRIGGER box_count_insert;
        DROP TRIGGER box_count_delete;
        DROP TRIGGER box_count_move;
        UPDATE tallies SET n = (SELECT count(*) FROM boxes WHERE source <> 'predicted') WHERE key = 'boxes';
        UPDATE images SET box_count = (SELECT count(*) FROM boxes b WHERE b.image_id = images.id AND b.source <> 'predicted');

        CREATE TRIGGER label_box_insert AFTER INSERT ON boxes WHEN NEW.source <> 'predicted' BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'boxes';
          UPDATE images SET box_count = box_count + 1 WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER label_box_delete AFTER DELETE ON boxes WHEN OLD.source <> 'predicted' BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'boxes';
          UPDATE images SET box_count = box_count - 1 WHERE id = OLD.image_id;
        END;
        CREATE TRIGGER label_box_change AFTER UPDATE OF source, image_id ON boxes
        WHEN (OLD.source <> 'predicted') IS NOT (NEW.source <> 'predicted') OR (NEW.source <> 'predicted' AND OLD.image_id IS NOT NEW.image_id) BEGIN
          UPDATE tallies SET n = n - (OLD.source <> 'predicted') + (NEW.source <> 'predicted') WHERE key = 'boxes';
          UPDATE images SET box_count = box_count - (OLD.source <> 'predicted') WHERE id = OLD.image_id;
          UPDATE images SET box_count = box_count + (NEW.source <> 'predicted') WHERE id = NEW.image_id;
        END;
      `)
  },
}
