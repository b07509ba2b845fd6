// Versioned schema. `PRAGMA user_version` holds the number of migrations applied; each migration runs in its own
// transaction, so a project is always at exactly one version. Never edit a migration that has shipped: add one.
import type { Database } from 'better-sqlite3'
import { registerDisagree } from './disagree.js'

export interface Migration {
  version: number
  description: string
  up(db: Database): void
}

export const migrations: Migration[] = [
  {
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
  },
  {
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
  },
  {
    version: 3,
    description: 'running tallies (the Library header costs the same at 100,000 images as at 10); edits go with their image',
    up(db) {
      // count(*) over 100,000 images and 300,000 boxes takes tens of milliseconds on every page view; triggers keep
      // the numbers as rows instead. Seeded from the data, so upgraded projects start right.
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
  },
  {
    version: 4,
    description: 'what each image was kindled with, so kindling resumes and an empty result is remembered too',
    up(db) {
      // One row per image and its latest kindling: a photo where the teacher found no face leaves no box, and without
      // this row a resumed job could not tell it from one never kindled.
      db.exec(`
        CREATE TABLE IF NOT EXISTS kindlings (
          image_id        INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
          teacher         TEXT    NOT NULL,
          teacher_version TEXT    NOT NULL,
          settings        TEXT    NOT NULL,   -- JSON: minScore, smile, zoomOut, zoomOutWhen
          faces           INTEGER NOT NULL,
          kindled_at      INTEGER NOT NULL
        )`)
    },
  },
  {
    version: 5,
    description: 'review queue: every step index-backed (keyset), whatever the sort',
    up(db) {
      // At 100,000 photos the teacher-score sort computed each photo's least kindled score in a subquery and ranked the
      // whole queue with a window function on every step (0.4–0.8 s). Now the score is a column that triggers keep
      // right, and each sort has an index with and without the reviewed flag in front, so "the photo after this one"
      // is an index seek (`(key, path) > (@key, @path) LIMIT 1`) instead of a sort of the queue.
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
  },
  {
    version: 6,
    description: 'devices (with the pinned host key), deployments and their benchmark samples',
    up(db) {
      // A device is an SSH target, or this computer (no SSH: the same runner, run locally, as a baseline). Its host key
      // is pinned at pairing; only re-pairing changes it. No password is ever stored: only the path of a private key file
      // (owner-only) and, for a key with a passphrase, that passphrase sealed by the OS keychain — never in the clear.
      // Deployments and samples are kept, so latency can be compared across models.
      db.exec(`
        CREATE TABLE devices (
          id                   INTEGER PRIMARY KEY,
          name                 TEXT    NOT NULL UNIQUE,
          kind                 TEXT    NOT NULL CHECK (kind IN ('ssh', 'local')),
          host                 TEXT,
          port                 INTEGER,
          user                 TEXT,
          key_path             TEXT,
          key_passphrase       BLOB,                    -- sealed by the OS keychain (Electron safeStorage); NULL if none
          host_key_algorithm   TEXT,
          host_key_fingerprint TEXT,                    -- SHA256:… as ssh-keygen -l prints it
          info                 TEXT,                    -- JSON: the last "test connection" (arch, OS, node, CPU, Pi model…)
          paired_at            INTEGER NOT NULL,
          CHECK (kind = 'local' OR (host IS NOT NULL AND port IS NOT NULL AND user IS NOT NULL AND key_path IS NOT NULL
                                    AND host_key_fingerprint IS NOT NULL))
        );
        INSERT INTO devices (name, kind, paired_at) VALUES ('this-computer', 'local', 0);
        CREATE TABLE deployments (
          id             INTEGER PRIMARY KEY,
          device_id      INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
          model          TEXT    NOT NULL,              -- what the user picked: a preset name or a model folder
          model_sha256   TEXT,                          -- content address of the uploaded model (set once exported)
          random_weights INTEGER NOT NULL DEFAULT 0,
          iterations     INTEGER NOT NULL,
          state          TEXT    NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
          message        TEXT,                          -- why it failed or stopped
          uploaded_bytes INTEGER NOT NULL DEFAULT 0,    -- 0 when model and runner were already on the device
          info           TEXT,                          -- JSON: the runner's info line (node, arch, backend, input shape…)
          summary        TEXT,                          -- JSON: p50/p90/p99/mean/fps over the samples received
          started_at     INTEGER NOT NULL,
          finished_at    INTEGER
        );
        CREATE INDEX deployments_by_device ON deployments (device_id, id);
        CREATE TABLE samples (
          deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
          i             INTEGER NOT NULL,
          ms            REAL    NOT NULL,
          temp_c        REAL,
          at            INTEGER NOT NULL,
          PRIMARY KEY (deployment_id, i)
        ) WITHOUT ROWID;
      `)
    },
  },
  {
    version: 7,
    description: 'class add, rename, recolour and delete go into the edit log: edits without an image',
    up(db) {
      // SQLite cannot change a column's NOT NULL or a CHECK in place, so `edits` is rebuilt (ids kept: the undo and
      // redo order is by id). The image trigger goes first and comes back last: while it names `edits`, a rename with
      // no `edits` table would fail. Class edits have no image (image_id NULL), so that trigger never touches them.
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
  },
  {
    version: 8,
    description: 'training runs with their settings, per-step losses and per-evaluation scores',
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          id              INTEGER PRIMARY KEY,
          name            TEXT    NOT NULL,
          preset          TEXT    NOT NULL,
          settings        TEXT    NOT NULL,             -- JSON: TrainSettings with the seed filled in
          config          TEXT    NOT NULL,             -- JSON: the detector config it trains (the preset may change later)
          classes         TEXT    NOT NULL,             -- JSON: class names in the model's order (index + 1 = class)
          state           TEXT    NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
          error           TEXT,
          backend         TEXT    NOT NULL DEFAULT '',
          train_images    INTEGER NOT NULL,
          val_images      INTEGER NOT NULL,
          val_held_out    INTEGER NOT NULL DEFAULT 0,   -- 1: no val photos, a tenth of the labelled ones held out
          warnings        TEXT    NOT NULL DEFAULT '[]',-- JSON: [{path, reason}] photos skipped (unreadable)
          step            INTEGER NOT NULL DEFAULT 0,
          steps           INTEGER NOT NULL,
          epoch           INTEGER NOT NULL DEFAULT 0,
          created_at      INTEGER NOT NULL,
          ended_at        INTEGER,
          best_ap50       REAL,
          best_checkpoint TEXT,                         -- absolute folder of the best checkpoint
          last_checkpoint TEXT,                         -- the newest checkpoint: where a resume starts
          last_checkpoint_epoch INTEGER,
          last_checkpoint_step  INTEGER,
          pid             INTEGER                       -- the process training it while running: alive means not stale
        );
        CREATE INDEX runs_by_state ON runs (state);
        CREATE TABLE run_steps (
          run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          step           INTEGER NOT NULL,
          epoch          INTEGER NOT NULL,
          loss           REAL    NOT NULL,
          classification REAL    NOT NULL,
          box            REAL    NOT NULL,
          learning_rate  REAL    NOT NULL,
          at             INTEGER NOT NULL,
          PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        CREATE TABLE run_evals (
          run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          step       INTEGER NOT NULL,
          epoch      INTEGER NOT NULL,
          ap50       REAL    NOT NULL,
          ap         REAL    NOT NULL,
          recall     REAL    NOT NULL,
          checkpoint TEXT    NOT NULL,
          at         INTEGER NOT NULL,
          PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID;
      `)
    },
  },
  {
    version: 9,
    description: 'predictions disagree: a per-photo flag kept by triggers, and its review-queue indexes',
    up(db) {
      // `disagree` is NULL until a model predicts on the photo, then 1 when its predicted boxes and its labels disagree
      // (store/disagree.ts has the rule), else 0. It must follow every change of a photo's boxes, and boxes are written
      // in more places than the Store's edit methods: kindling and label import insert and delete with their own
      // statements in their batch transactions, undo and redo replay rows. The one place none of them can miss is the
      // table itself, so triggers recompute it, as they keep box_count and min_kindled_score. The matching (greedy by
      // score, IoU ≥ 0.5) is JavaScript: the triggers call kindling_disagree(), which Store.open registers on every
      // connection before it migrates. Only photos that have predictions pay for it (the WHEN), one read of the photo's
      // boxes through boxes_by_image.
      //
      // The review filter is a partial index per sort (only disagreeing photos are in it), the same keys as migration
      // 5's, so a queue step is a seek and a count is linear in the disagreeing photos only.
      const recompute = (image: string) => `UPDATE images SET disagree =
            (SELECT kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))
             FROM boxes WHERE image_id = ${image})
          WHERE id = ${image};`
      const predicted = (image: string) => `(SELECT disagree FROM images WHERE id = ${image}) IS NOT NULL`
      db.exec(`
        ALTER TABLE images ADD COLUMN disagree INTEGER;  -- NULL: no predictions; 1: predictions and labels disagree
        UPDATE images SET disagree = 0 WHERE id IN (SELECT image_id FROM boxes WHERE source = 'predicted');
        ${recompute('images.id').replace('WHERE id = images.id;', 'WHERE disagree IS NOT NULL;')}

        CREATE INDEX images_queue_disagree_score ON images (score_key, path, split) WHERE disagree = 1;
        CREATE INDEX images_queue_disagree_name ON images (path, split) WHERE disagree = 1;
        CREATE INDEX images_queue_disagree_id ON images (id, split) WHERE disagree = 1;

        CREATE TRIGGER disagree_box_insert AFTER INSERT ON boxes WHEN ${predicted('NEW.image_id')} BEGIN
          ${recompute('NEW.image_id')}
        END;
        CREATE TRIGGER disagree_box_delete AFTER DELETE ON boxes WHEN ${predicted('OLD.image_id')} BEGIN
          ${recompute('OLD.image_id')}
        END;
        CREATE TRIGGER disagree_box_update AFTER UPDATE OF class_id, x, y, w, h, source, score, image_id ON boxes
        WHEN ${predicted('NEW.image_id')} BEGIN
          ${recompute('NEW.image_id')}
        END;
        CREATE TRIGGER disagree_box_move AFTER UPDATE OF image_id ON boxes
        WHEN OLD.image_id IS NOT NEW.image_id AND ${predicted('OLD.image_id')} BEGIN
          ${recompute('OLD.image_id')}
        END;
      `)
    },
  },
  {
    version: 10,
    description: "a model's predicted boxes are not labels: the box tally and each photo's box count leave them out",
    up(db) {
      // The header's box count, the "no boxes" filter and a photo's box count speak of labels (kindled, human,
      // imported). Predictions are a model's opinion, written in bulk on every predict: counted as boxes they made a
      // photo the model merely guessed on leave "no boxes", and the header jump by thousands. A person editing a
      // predicted box makes it a human box (source changes), so that change counts it in.
      const label = (row: string) => `${row}.source <> 'predicted'`
      db.exec(`
        DROP TRIGGER tally_box_insert;
        DROP TRIGGER tally_box_delete;
        DROP TRIGGER box_count_insert;
        DROP TRIGGER box_count_delete;
        DROP TRIGGER box_count_move;
        UPDATE tallies SET n = (SELECT count(*) FROM boxes WHERE source <> 'predicted') WHERE key = 'boxes';
        UPDATE images SET box_count = (SELECT count(*) FROM boxes b WHERE b.image_id = images.id AND b.source <> 'predicted');

        CREATE TRIGGER label_box_insert AFTER INSERT ON boxes WHEN ${label('NEW')} BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'boxes';
          UPDATE images SET box_count = box_count + 1 WHERE id = NEW.image_id;
        END;
        CREATE TRIGGER label_box_delete AFTER DELETE ON boxes WHEN ${label('OLD')} BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'boxes';
          UPDATE images SET box_count = box_count - 1 WHERE id = OLD.image_id;
        END;
        CREATE TRIGGER label_box_change AFTER UPDATE OF source, image_id ON boxes
        WHEN (${label('OLD')}) IS NOT (${label('NEW')}) OR (${label('NEW')} AND OLD.image_id IS NOT NEW.image_id) BEGIN
          UPDATE tallies SET n = n - (${label('OLD')}) + (${label('NEW')}) WHERE key = 'boxes';
          UPDATE images SET box_count = box_count - (${label('OLD')}) WHERE id = OLD.image_id;
          UPDATE images SET box_count = box_count + (${label('NEW')}) WHERE id = NEW.image_id;
        END;
      `)
    },
  },
  {
    version: 11,
    description: 'a running tally of labelled photos',
    up(db) {
      // Labelled photos — a label box, or reviewed (a person said there is no face: a true negative) — are what a
      // training run learns from; the Train page says how many before it starts, from this tally.
      const labelled = (row: string) => `(${row}.box_count > 0 OR ${row}.reviewed_at IS NOT NULL)`
      db.exec(`
        INSERT INTO tallies (key, n) VALUES ('labelled', (SELECT count(*) FROM images i WHERE ${labelled('i')}));
        CREATE TRIGGER tally_labelled_insert AFTER INSERT ON images WHEN ${labelled('NEW')} BEGIN
          UPDATE tallies SET n = n + 1 WHERE key = 'labelled';
        END;
        CREATE TRIGGER tally_labelled_delete AFTER DELETE ON images WHEN ${labelled('OLD')} BEGIN
          UPDATE tallies SET n = n - 1 WHERE key = 'labelled';
        END;
        CREATE TRIGGER tally_labelled_update AFTER UPDATE OF box_count, reviewed_at ON images
        WHEN ${labelled('OLD')} IS NOT ${labelled('NEW')} BEGIN
          UPDATE tallies SET n = n + ${labelled('NEW')} - ${labelled('OLD')} WHERE key = 'labelled';
        END;
      `)
    },
  },
]

export const latestVersion = migrations[migrations.length - 1].version

/** Bring `db` up to `target` (default: latest). Refuses a database written by a newer studio rather than guessing. */
export function migrate(db: Database, target = latestVersion): number {
  // Every connection to a project goes through here (Store.open migrates): the triggers of migration 9 call this
  // function, so it is registered before any migration runs and before any box is written on this connection.
  registerDisagree(db)
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > latestVersion) {
    throw new Error(
      `studio.db has schema version ${current}, newer than this Kindling Studio understands (${latestVersion}); ` +
        'update the studio to open this project',
    )
  }
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue
    db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
  return db.pragma('user_version', { simple: true }) as number
}
