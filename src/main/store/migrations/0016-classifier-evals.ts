// Whole-image classifiers train as runs beside detectors: an evaluation of one keeps its accuracy, per-class precision
// and recall and confusion matrix (run_evals.classifier, JSON; NULL for a detector's), and its run the best accuracy so
// far (runs.best_accuracy; a classifier's best checkpoint is that evaluation's). Earlier runs are detectors: NULL both.
import type { Migration } from './index.js'

export const classifierEvals: Migration = {
  version: 16,
  description: "classifier runs' evaluations (accuracy, per-class precision and recall, confusion) and best accuracy",
  up(db) {
    db.exec(`
        ALTER TABLE run_evals ADD COLUMN classifier TEXT;
        ALTER TABLE runs ADD COLUMN best_accuracy REAL;
      `)
  },
}
