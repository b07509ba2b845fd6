// A fine-tuned run records the run it started from (parent_run_id) and the epoch of that run's checkpoint
// (parent_epoch), so the Train page can show its lineage and a resume that never reached a checkpoint of its own can
// start from the parent again. Deleting the parent keeps the child, without the link. Earlier runs have no parent.
import type { Migration } from './index.js'

export const runParents: Migration = {
  version: 15,
  description: 'training runs record the run and checkpoint epoch they were fine-tuned from',
  up(db) {
    db.exec(`
        ALTER TABLE runs ADD COLUMN parent_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL;
        ALTER TABLE runs ADD COLUMN parent_epoch INTEGER;
      `)
  },
}
