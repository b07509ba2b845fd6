// A device is an SSH target, or this computer (no SSH: the same runner, run locally, as a baseline). Its host key is
// pinned at pairing; only re-pairing changes it. No password is ever stored: only the path of a private key file
// (owner-only) and, for a key with a passphrase, that passphrase sealed by the OS keychain — never in the clear.
// Deployments and samples are kept, so latency can be compared across models.
import type { Migration } from './index.js'

export const devicesAndDeployments: Migration = {
  version: 6,
  description: 'devices (with the pinned host key), deployments and their benchmark samples',
  up(db) {
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
}
