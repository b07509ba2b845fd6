// An evaluation answers only for the weights it inferred with: the hand-made evaluation (tests/helpers/evaluations.ts)
// of a checkpoint folder that is then rewritten as training writes one is no longer the answer — evaluations.get says
// "not computed" and a start infers again — while the old row stays listed. A checkpoint touched with the same bytes
// is still the same one. (job.test.ts does the same with a real checkpoint's weights and a second inference.)
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { checkpointIdentity } from '../../../src/main/evaluations/checkpoint-identity.js'
import { DETECTOR_JSON, checkpointDir } from '../../../src/main/train/index.js'
import { writeFileAtomic } from '../../../src/main/detector/index.js'
import type { Method, Params, Result, StudioEvent } from '../../../src/shared/api.js'
import { handMadeProject } from '../../helpers/evaluations.js'
import { tempDir } from '../../helpers/fixtures.js'

process.env.KINDLING_HOME = tempDir()
const { studio, store, dir, runId, evaluationId } = await handMadeProject()
afterAll(() => studio.close())

async function request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
  const response = await dispatch(studio, { id: 1, method, params })
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`)
  return response.result as Result<M>
}

const checkpoint = checkpointDir(dir, runId, 1)
const later = (s: number) => new Date(Date.now() + s * 1000)

describe("an evaluation keyed to its checkpoint's identity", () => {
  it('adopts the identity of a checkpoint older than itself (an evaluation made before identities were kept)', async () => {
    expect(store.evaluations.identity(evaluationId)).toBeNull()
    expect((await request('evaluations.get', { runId }))!.evaluation.id).toBe(evaluationId)
    expect(store.evaluations.identity(evaluationId)).toEqual(checkpointIdentity(checkpoint))
  })

  it('still answers for a checkpoint touched with the same bytes, from a stat once it has seen the new times', async () => {
    const file = path.join(checkpoint, DETECTOR_JSON)
    fs.utimesSync(file, later(5), later(5))
    expect((await request('evaluations.get', { runId }))!.evaluation.id).toBe(evaluationId)
    expect(store.evaluations.identity(evaluationId)!.stamp).toBe(checkpointIdentity(checkpoint)!.stamp)
    expect(await request('evaluations.start', { runId })).toEqual({ jobId: null, evaluationId })
  })

  it('is no answer once the checkpoint is written again (a resumed run), and a start infers anew', async () => {
    const file = path.join(checkpoint, DETECTOR_JSON)
    const info = JSON.parse(fs.readFileSync(file, 'utf8'))
    // As a resumed run writes it: the epoch's weights and detector.json replaced, one step further.
    writeFileAtomic(path.join(checkpoint, 'group1-shard1of1.bin'), new Uint8Array([1, 2, 3, 4]))
    writeFileAtomic(file, JSON.stringify({ ...info, step: info.step + 1 }))
    expect(await request('evaluations.get', { runId })).toBeNull()
    // Kept until replaced: the list still shows it.
    expect(store.evaluations.list(runId).map((e) => e.id)).toEqual([evaluationId])
    const ended = new Promise<string>((resolve) => {
      const listener = (event: StudioEvent) => {
        if (event.event !== 'job.progress' || event.payload.kind !== 'evaluate' || event.payload.state === 'running') return
        studio.off('event', listener)
        resolve(event.payload.state)
      }
      studio.on('event', listener)
    })
    const started = await request('evaluations.start', { runId })
    expect(started.jobId).not.toBeNull()
    expect(started.evaluationId).not.toBe(evaluationId)
    // The new one keeps the identity of the checkpoint as it is now (it has no real weights, so its job fails here).
    expect(store.evaluations.identity(started.evaluationId)).toEqual(checkpointIdentity(checkpoint))
    expect(await ended).toBe('failed')
  })

  it('counts an older evaluation as stale when its checkpoint is newer than it and it kept no identity', async () => {
    const { studio: other, store: s, dir: d, runId: r } = await handMadeProject()
    try {
      const file = path.join(checkpointDir(d, r, 1), DETECTOR_JSON)
      fs.utimesSync(file, later(60), later(60))
      expect(await dispatch(other, { id: 1, method: 'evaluations.get', params: { runId: r } })).toMatchObject({ ok: true, result: null })
      expect(s.evaluations.list(r)).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})
