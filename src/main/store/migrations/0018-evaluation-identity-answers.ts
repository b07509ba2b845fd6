// An evaluation keeps the identity of the checkpoint it inferred with (a sha256 over the checkpoint's files and a
// stamp of their names, sizes and mtimes), so a checkpoint rewritten since — a resumed run, an epoch trained again —
// is evaluated anew instead of answered with detections of weights that are gone. NULL for evaluations made before:
// they adopt the checkpoint's identity when it is older than they are. evaluation_answers keeps the Evaluate page's
// answers (a report, a page of errors) per evaluation and labels fingerprint, so the first ones after a restart are
// read back instead of matched again.
import type { Migration } from './index.js'

export const evaluationIdentityAnswers: Migration = {
  version: 18,
  description: "evaluations keep their checkpoint's identity; the Evaluate page's answers per labels fingerprint",
  up(db) {
    db.exec(`
        ALTER TABLE evaluations ADD COLUMN checkpoint_sha256 TEXT;
        ALTER TABLE evaluations ADD COLUMN checkpoint_stamp TEXT;
        CREATE TABLE evaluation_answers (
          evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
          request TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          answer TEXT NOT NULL,
          used_at INTEGER NOT NULL,
          PRIMARY KEY (evaluation_id, request)
        ) WITHOUT ROWID;
      `)
  },
}
