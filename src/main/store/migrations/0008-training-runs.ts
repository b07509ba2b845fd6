import type { Migration } from './index.js'

export const trainingRuns: Migration = {
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
}
