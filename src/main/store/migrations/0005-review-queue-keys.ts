// At 100,000 photos the teacher-score sort computed each photo's least kindled score in a subquery and ranked the whole
// queue with a window function on every step (0.4–0.8 s). Now the score is a column that triggers keep right, and each
// sort has an index with and without the reviewed flag in front, so "the photo after this one" is an index seek
// (`(key, path) > (@key, @path) LIMIT 1`) instead of a sort of the queue.
//
// The box_count triggers (box_count_insert, box_count_delete, box_count_move) are replaced by migration 10, which
// leaves predicted boxes out of the count.
import type { Migration } from './index.js'

export const reviewQueueKeys: Migration = {
  version: 5,
  description: 'review queue: every step index-backed (keyset), whatever the sort',
  up(db) {
    db.exec(`
        ALTER TABLE images ADD COLUMN min_kindled_score REAL;   -- the least confident kindled box; null: none
        -- Photos without a kindled box sort after every score (scores are 0–1): a key without NULLs compares as a row.
        ALTER TABLE images ADD COLUMN score_key REAL GENERATED ALWAYS AS (coalesce(min_kindled_score, 2.0)) VIRTUAL;
        ALTER TABLE images ADD COLUMN reviewed INTEGER GENERATED ALWAYS AS (reviewed_at IS NOT NULL) VIRTUAL;
        ALTER TABLE images ADD COLUMN box_count INTEGER NOT NULL DEFAULT 0;  -- for "no boxes": an index, not a probe
        UPDATE images SET
          min_kindled_score = (SELECT min(b.score) FROM boxes b WHERE b.image_id = images.id AND b.source = 'kindled'),
          box_count = (SELECT count(*) FROM boxes b WHERE b.image_id = images.id);

        -- split rides along at the end so the split filter is read from the index, not the row, when counting a
        -- photo's place.
        CREATE INDEX images_queue_score ON images (score_key, path, split);
        CREATE INDEX images_queue_reviewed_score ON images (reviewed, score_key, path, split);
        CREATE INDEX images_queue_reviewed_name ON images (reviewed, path, split);
        CREATE INDEX images_queue_reviewed_id ON images (reviewed, id, split);
        CREATE INDEX images_without_boxes ON images (path) WHERE box_count = 0;
        -- The class filter: a step probes a photo's boxes for the class, a count starts from the class's boxes.
        CREATE INDEX boxes_by_image_class ON boxes (image_id, class_id);
        CREATE INDEX boxes_by_class ON boxes (class_id, image_id);

        CREATE TRIGGER box_count_insert AFTER INSERT ON boxes BEGIN
          UPDATE images SET box_count = box_count + 1 WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER box_count_delete AFTER DELETE ON boxes BEGIN
          UPDATE images SET box_count = box_count - 1 WHERE id = OLD.image_id;
        END;
        CREATE TRIGGER box_count_move AFTER UPDATE OF image_id ON boxes WHEN OLD.image_id IS NOT NEW.image_id BEGIN
          UPDATE images SET box_count = box_count - 1 WHERE id = OLD.image_id;
          UPDATE images SET box_count = box_count + 1 WHERE id = NEW.image_id;
        END;

        CREATE TRIGGER min_score_box_insert AFTER INSERT ON boxes WHEN NEW.source = 'kindled' BEGIN
          UPDATE images SET min_kindled_score =
            (SELECT min(score) FROM boxes WHERE image_id = NEW.image_id AND source = 'kindled') WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER min_score_box_delete AFTER DELETE ON boxes WHEN OLD.source = 'kindled' BEGIN
          UPDATE images SET min_kindled_score =
            (SELECT min(score) FROM boxes WHERE image_id = OLD.image_id AND source = 'kindled') WHERE id = OLD.image_id;
        END;
        CREATE TRIGGER min_score_box_update AFTER UPDATE OF source, score, image_id ON boxes
        WHEN OLD.source = 'kindled' OR NEW.source = 'kindled' BEGIN
          UPDATE images SET min_kindled_score =
            (SELECT min(score) FROM boxes WHERE image_id = OLD.image_id AND source = 'kindled') WHERE id = OLD.image_id;
          UPDATE images SET min_kindled_score =
            (SELECT min(score) FROM boxes WHERE image_id = NEW.image_id AND source = 'kindled') WHERE id = NEW.image_id;
        END;
      `)
  },
}
