// Versioned schema. `PRAGMA user_version` holds the number of migrations applied; each migration runs in its own
// transaction, so a project is always at exactly one version. Never edit a migration that has shipped: add one, in a
// file of its own, and list it below (explicit imports: electron-vite bundles this for Electron, so nothing here may
// read the folder at run time). Then `npm run schema` rewrites ../schema.sql, today's whole schema in one place.
//
// The SQL in the migration files is indented deeper than the code around it on purpose: SQLite stores the text of
// every CREATE as written, so the text must stay byte for byte what it was when the migration shipped, or projects
// created before and after would have differently written schemas (tests/unit/store/schema.test.ts would say so).
import type { Database } from 'better-sqlite3'
import { imagesClassesBoxes } from './0001-images-classes-boxes.js'
import { reviewStateAndEditLog } from './0002-review-state-edit-log.js'
import { tallies } from './0003-tallies.js'
import { kindlings } from './0004-kindlings.js'
import { reviewQueueKeys } from './0005-review-queue-keys.js'
import { devicesAndDeployments } from './0006-devices-deployments.js'
import { classEdits } from './0007-class-edits.js'
import { trainingRuns } from './0008-training-runs.js'
import { predictionsDisagree } from './0009-predictions-disagree.js'
import { labelsNotPredictions } from './0010-labels-not-predictions.js'
import { labelledTally } from './0011-labelled-tally.js'
import { deploymentRuntimes } from './0012-deployment-runtimes.js'
import { deploymentRuns } from './0013-deployment-runs.js'
import { imageTags } from './0014-image-tags.js'
import { runParents } from './0015-run-parents.js'
import { classifierEvals } from './0016-classifier-evals.js'
import { evaluations } from './0017-evaluations.js'
import { evaluationIdentityAnswers } from './0018-evaluation-identity-answers.js'

export interface Migration {
  version: number
  description: string
  up(db: Database): void
}

export const migrations: Migration[] = [
  imagesClassesBoxes,
  reviewStateAndEditLog,
  tallies,
  kindlings,
  reviewQueueKeys,
  devicesAndDeployments,
  classEdits,
  trainingRuns,
  predictionsDisagree,
  labelsNotPredictions,
  labelledTally,
  deploymentRuntimes,
  deploymentRuns,
  imageTags,
  runParents,
  classifierEvals,
  evaluations,
  evaluationIdentityAnswers,
]

// A migration listed out of order or twice would be skipped or run on the wrong schema; say so at start-up instead.
migrations.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration ${m.version} is listed at position ${i + 1}: list them in order`)
})

export const latestVersion = migrations[migrations.length - 1].version

/**
 * Bring `db` up to `target` (default: latest). Refuses a database written by a newer studio rather than guessing.
 * `db` must come from openDatabase (../database.ts): from migration 9 on, the triggers call kindling_disagree(), which
 * it registers.
 */
export function migrate(db: Database, target = latestVersion): number {
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
