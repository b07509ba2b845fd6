// The Evaluate page's first paint after a restart: the report and the first errors page it asked before, with the labels
// as they were, are read back from the store — the same answers, nothing loaded or matched — while a label edit, a
// threshold dragged elsewhere or a later page is matched as before.
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/dispatcher.js'
import { evaluationCache } from '../../../src/main/evaluations/index.js'
import { Studio } from '../../../src/main/studio.js'
import type { Method, Params, Result } from '../../../src/shared/api.js'
import { handMadeProject } from '../../helpers/evaluations.js'
import { tempDir } from '../../helpers/fixtures.js'

process.env.KINDLING_HOME = tempDir()
const first = await handMadeProject()
const { dir, runId, evaluationId, boxes } = first
let studio: Studio = first.studio
afterAll(async () => {
  await new Promise((resolve) => setImmediate(resolve))
  await studio.close()
})

async function request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
  const response = await dispatch(studio, { id: 1, method, params })
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`)
  return response.result as Result<M>
}

const matched = () => {
  const store = studio.project!
  return evaluationCache(store).has(store.evaluations.get(evaluationId)!, store.evaluations.labelsFingerprint())
}

describe('first-paint answers kept in the store', () => {
  let report: Result<'evaluations.get'>
  let atThreshold: Result<'evaluations.get'>
  let falseAlarms: Result<'evaluations.errors'>
  let threshold: number

  it('are kept when the page first asks them', async () => {
    report = await request('evaluations.get', { runId })
    threshold = report!.bestF1!.score
    atThreshold = await request('evaluations.get', { runId, threshold })
    falseAlarms = await request('evaluations.errors', { evaluationId, threshold, kind: 'false-alarm', limit: 50 })
    expect(falseAlarms.total).toBe(1)
    // Dragged elsewhere: answered, not kept.
    await request('evaluations.get', { runId, threshold: 0.2 })
    const kept = studio.project!.db.prepare('SELECT request FROM evaluation_answers ORDER BY request').all() as { request: string }[]
    expect(kept.map((r) => r.request)).toEqual([`errors:0.5:${threshold}:false-alarm::50:`, `report:0.5:${threshold}:`, 'report:0.5::'])
  })

  it('are read back after a restart with the labels as they were, without matching', async () => {
    await studio.close()
    studio = new Studio()
    await studio.openProject(dir)
    expect(await request('evaluations.get', { runId })).toEqual(report)
    expect(await request('evaluations.get', { runId, threshold })).toEqual(atThreshold)
    expect(await request('evaluations.errors', { evaluationId, threshold, kind: 'false-alarm', limit: 50 })).toEqual(falseAlarms)
    expect(matched()).toBe(false)
    // Another threshold needs the matching: it is done then, and says the same as before the restart.
    expect((await request('evaluations.get', { runId, threshold: 0.2 }))!.at).toMatchObject({ tp: 3, fp: 2 })
    expect(matched()).toBe(true)
  })

  it('are not the answer once a label changed', async () => {
    await studio.close()
    studio = new Studio()
    await studio.openProject(dir)
    // D, never found, deleted: 3 labelled now, every one found at some score.
    await request('boxes.delete', { id: boxes.D.id })
    const after = (await request('evaluations.get', { runId }))!
    expect(after.labelled).toBe(3)
    expect(after.labelsFingerprint).not.toBe(report!.labelsFingerprint)
    expect(matched()).toBe(true)
    // The old fingerprint's answers are gone with it.
    const kept = studio.project!.db.prepare('SELECT DISTINCT fingerprint FROM evaluation_answers').all() as { fingerprint: string }[]
    expect(kept).toEqual([{ fingerprint: after.labelsFingerprint }])
  })
})
