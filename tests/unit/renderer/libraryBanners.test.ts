// The Library's status banners: a finished job's summary goes once a later job that changes photos starts.
import { describe, expect, it } from 'vitest'
import type { JobProgress } from '../../../src/shared/api'
import { banners, finishedJobs } from '../../../src/renderer/src/pages/Library/banners'

const job = (jobId: string, kind: JobProgress['kind'], state: JobProgress['state']): JobProgress => ({
  jobId,
  kind,
  projectDir: '/p',
  state,
  done: 6,
  total: 6,
  imported: 0,
  duplicates: 0,
  skipped: [],
  perSec: null,
  etaMs: null,
  elapsedMs: 1000,
})

const none = new Set<string>()

describe('Library banners', () => {
  it('shows a finished kindling until an import starts after it', () => {
    const kindled = job('k', 'kindle', 'done')
    expect(banners([kindled], none)).toEqual({ import: undefined, kindle: kindled })
    const importing = job('i', 'import', 'running')
    expect(banners([kindled, importing], none)).toEqual({ import: importing, kindle: undefined })
    const imported = { ...importing, state: 'done' as const }
    expect(banners([kindled, imported], none)).toEqual({ import: imported, kindle: undefined })
  })

  it('hides an import summary once kindling or a prediction starts after it, not for a training run', () => {
    const imported = job('i', 'import', 'done')
    expect(banners([imported, job('t', 'train', 'running')], none).import).toBe(imported)
    expect(banners([imported, job('k', 'kindle', 'running')], none).import).toBeUndefined()
    expect(banners([imported, job('p', 'predict', 'done')], none).import).toBeUndefined()
  })

  it('always shows a running job, and never a dismissed one', () => {
    const kindling = job('k', 'kindle', 'running')
    expect(banners([kindling, job('i', 'import', 'running')], none).kindle).toBe(kindling)
    const kindled = { ...kindling, state: 'done' as const }
    expect(banners([kindled], new Set(['k'])).kindle).toBeUndefined()
  })

  it('names the finished jobs, for a change made elsewhere to dismiss', () => {
    expect(finishedJobs([job('a', 'import', 'done'), job('b', 'kindle', 'running'), job('c', 'kindle', 'cancelled')])).toEqual(['a', 'c'])
  })
})
