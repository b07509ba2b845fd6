// A deployment runs on ONNX Runtime or TF.js wasm, on some threads, at fp32 or int8: what was asked for (requested_*;
// threads NULL means the device's cores), and what the runner reported it ran (runtime, threads, precision, from its
// info line) — with, when --runtime auto fell back to TF.js, the runner's reason (fallback). Every deployment before
// this ran TF.js wasm on one thread at fp32 (there was no other runtime), and is recorded so.
import type { Migration } from './index.js'

export const deploymentRuntimes: Migration = {
  version: 12,
  description: 'deployments record their runtime, threads and precision (asked for and reported) and any fallback',
  up(db) {
    db.exec(`
        ALTER TABLE deployments ADD COLUMN requested_runtime TEXT NOT NULL DEFAULT 'tfjs' CHECK (requested_runtime IN ('auto', 'onnx', 'tfjs'));
        ALTER TABLE deployments ADD COLUMN requested_threads INTEGER;
        ALTER TABLE deployments ADD COLUMN requested_precision TEXT NOT NULL DEFAULT 'fp32' CHECK (requested_precision IN ('fp32', 'int8'));
        ALTER TABLE deployments ADD COLUMN runtime TEXT CHECK (runtime IN ('onnx', 'tfjs'));
        ALTER TABLE deployments ADD COLUMN threads INTEGER;
        ALTER TABLE deployments ADD COLUMN precision TEXT CHECK (precision IN ('fp32', 'int8'));
        ALTER TABLE deployments ADD COLUMN fallback TEXT;
        UPDATE deployments SET requested_threads = 1;
        UPDATE deployments SET runtime = 'tfjs', threads = 1, precision = 'fp32' WHERE info IS NOT NULL;
      `)
  },
}
