// `disagree` is NULL until a model predicts on the photo, then 1 when its predicted boxes and its labels disagree
// (store/disagree.ts has the rule), else 0. It must follow every change of a photo's boxes, and boxes are written in
// more places than the Store's edit methods: kindling and label import insert and delete with their own statements in
// their batch transactions, undo and redo replay rows. The one place none of them can miss is the table itself, so
// triggers recompute it, as they keep box_count and min_kindled_score. The matching (greedy by score, IoU ≥ 0.5) is
// JavaScript: the triggers call kindling_disagree(), which openDatabase (store/database.ts) registers on every
// connection it opens, before anything migrates or writes a box. Only photos that have predictions pay for it (the
// WHEN), one read of the photo's boxes through boxes_by_image.
//
// Each trigger runs the same recomputation (store/disagree.ts `disagreeOf` builds it for the Store's own statements),
// for the photo the box was added to, removed from, changed on or moved away from.
//
// The review filter is a partial index per sort (only disagreeing photos are in it), the same keys as migration 5's,
// so a queue step is a seek and a count is linear in the disagreeing photos only.
import type { Migration } from './index.js'

export const predictionsDisagree: Migration = {
  version: 9,
  description: 'predictions disagree: a per-photo flag kept by triggers, and its review-queue indexes',
  up(db) {
    db.exec(`
        ALTER TABLE images ADD COLUMN disagree INTEGER;  -- NULL: no predictions; 1: predictions and labels disagree
        UPDATE images SET disagree = 0 WHERE id IN (SELECT image_id FROM boxes WHERE source = 'predicted');
        UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = images.id)
          WHERE disagree IS NOT NULL;

        CREATE INDEX images_queue_disagree_score ON images (score_key, path, split) WHERE disagree = 1;
        CREATE INDEX images_queue_disagree_name ON images (path, split) WHERE disagree = 1;
        CREATE INDEX images_queue_disagree_id ON images (id, split) WHERE disagree = 1;

        CREATE TRIGGER disagree_box_insert AFTER INSERT ON boxes WHEN (SELECT disagree FROM images WHERE id = NEW.image_id) IS NOT NULL BEGIN
          UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = NEW.image_id)
          WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER disagree_box_delete AFTER DELETE ON boxes WHEN (SELECT disagree FROM images WHERE id = OLD.image_id) IS NOT NULL BEGIN
          UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = OLD.image_id)
          WHERE id = OLD.image_id;
        END;
        CREATE TRIGGER disagree_box_update AFTER UPDATE OF class_id, x, y, w, h, source, score, image_id ON boxes
        WHEN (SELECT disagree FROM images WHERE id = NEW.image_id) IS NOT NULL BEGIN
          UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = NEW.image_id)
          WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER disagree_box_move AFTER UPDATE OF image_id ON boxes
        WHEN OLD.image_id IS NOT NEW.image_id AND (SELECT disagree FROM images WHERE id = OLD.image_id) IS NOT NULL BEGIN
          UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = OLD.image_id)
          WHERE id = OLD.image_id;
        END;
      `)
  },
}
