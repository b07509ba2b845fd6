// A deployment of a training run's checkpoint records the run (run_id) and the checkpoint's epoch (run_epoch), so that
// history names it by the run rather than by a folder path; deleting the run keeps the deployment with its path. A
// deployment started as the second half of a comparison records the first (compared_with), so that history can show
// the pair together with their difference. Earlier deployments keep what they had: no run, no comparison.
import type { Migration } from './index.js'

export const deploymentRuns: Migration = {
  version: 13,
  description: 'deployments record the training run and epoch they deployed, and the deployment they are compared with',
  up(db) {
    db.exec(`
        ALTER TABLE deployments ADD COLUMN run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL;
        ALTER TABLE deployments ADD COLUMN run_epoch INTEGER;
        ALTER TABLE deployments ADD COLUMN compared_with INTEGER REFERENCES deployments (id) ON DELETE SET NULL;
      `)
  },
}
