// Which weights an evaluation saw. A run's epoch folder is not a fixed thing: a resumed run trains an epoch's last
// steps again and writes its checkpoint anew, and an epoch folder pruned and trained again is rewritten, so (run, epoch,
// split) alone would answer with detections of weights that are gone. An evaluation keeps the checkpoint's identity
// when it is made — a sha256 over its files (the deploy's model hash) and a stamp of their names, sizes and mtimes — and
// is the answer only while the checkpoint still has it. The stamp makes the usual check a few stat calls; the hash is
// read only when the stamp moved, so a checkpoint copied or touched with the same bytes still counts as the same.
import fs from 'node:fs'
import path from 'node:path'
import type { Evaluation } from '../../shared/api.js'
import { modelFilesHash } from '../deploy/export-model.js'
import type { Store } from '../store/index.js'

export interface CheckpointIdentity {
  sha256: string
  stamp: string
}

interface FileStat {
  name: string
  size: number
  mtimeMs: number
}

/** The checkpoint folder's files (model.json, the weights, detector.json), by name; null when the folder is gone. */
function files(dir: string): FileStat[] | null {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return null
  }
  const out: FileStat[] = []
  // What defines it: model.json, the weight shards, detector.json (not a half-written .partial, not a stray file).
  for (const name of names.filter((n) => /\.(json|bin)$/.test(n)).sort()) {
    const s = fs.statSync(path.join(dir, name), { throwIfNoEntry: false })
    if (s?.isFile()) out.push({ name, size: s.size, mtimeMs: s.mtimeMs })
  }
  return out
}

function hashOf(dir: string, list: readonly FileStat[]): string {
  const names = list.map((f) => f.name)
  return modelFilesHash(dir, names)
}

const stampOf = (list: readonly FileStat[]) => list.map((f) => `${f.name}:${f.size}:${f.mtimeMs}`).join('/')

export function checkpointIdentity(dir: string): CheckpointIdentity | null {
  const list = files(dir)
  if (!list) return null
  return { stamp: stampOf(list), sha256: hashOf(dir, list) }
}

/**
 * Whether the evaluation's checkpoint still holds the weights it inferred with. An evaluation made before identities
 * were kept adopts the checkpoint's when no file of it is newer than the evaluation's start (it saw these weights);
 * otherwise it is stale. A stale evaluation stays in the store (the list shows it) until a new one replaces it.
 */
export function checkpointUnchanged(store: Store, evaluation: Evaluation): boolean {
  const list = files(evaluation.checkpoint)
  if (!list || list.length === 0) return false
  const kept = store.evaluations.identity(evaluation.id)
  const stamp = stampOf(list)
  if (kept && kept.stamp === stamp) return true
  if (!kept) {
    if (list.some((f) => Math.floor(f.mtimeMs) > evaluation.startedAt)) return false
    store.evaluations.setIdentity(evaluation.id, { stamp, sha256: hashOf(evaluation.checkpoint, list) })
    return true
  }
  const sha256 = hashOf(evaluation.checkpoint, list)
  if (sha256 !== kept.sha256) return false
  // Same bytes, new mtimes: remember the new stamp so the next check is a stat again.
  store.evaluations.setIdentity(evaluation.id, { stamp, sha256 })
  return true
}
