// What the whole app shares: the studio's info, the open project (kept current by `project.changed`) and the jobs
// seen this session (kept current by `job.progress`, finished ones included so their summaries can be shown).
import { useCallback, useEffect, useState } from 'react'
import type { JobProgress, ProjectInfo, StudioInfo } from '../../../shared/api'
import { useConnection, useStudio, useStudioEvents } from '../api/context'
import { errorMessage } from './errors'

export interface StudioSession {
  info: StudioInfo | null
  project: ProjectInfo | null
  /** Oldest first. */
  jobs: JobProgress[]
  loadError: string | null
  reload(): void
  projectOpened(project: ProjectInfo): void
}

export function useStudioSession(): StudioSession {
  const studio = useStudio()
  const { state } = useConnection()
  const [info, setInfo] = useState<StudioInfo | null>(null)
  const [project, setProject] = useState<ProjectInfo | null>(null)
  const [jobs, setJobs] = useState<ReadonlyMap<string, JobProgress>>(new Map())
  const [loadError, setLoadError] = useState<string | null>(null)
  const [attempt, setAttempt] = useState(0)
  const open = state.status === 'open'

  // Loaded on every (re)connection: events sent while the connection was down never arrive.
  useEffect(() => {
    if (!open) return
    let current = true
    studio.request('studio.info', {}).then(
      (loaded) => {
        if (!current) return
        setInfo(loaded)
        setProject(loaded.project)
        setJobs((seen) => withRunning(seen, loaded.jobs))
        setLoadError(null)
      },
      (error: unknown) => current && setLoadError(errorMessage(error)),
    )
    return () => {
      current = false
    }
  }, [studio, open, attempt])

  useStudioEvents((event) => {
    if (event.event === 'project.changed') setProject(event.payload)
    else if (event.event === 'job.progress') setJobs((seen) => new Map(seen).set(event.payload.jobId, event.payload))
  })

  return {
    info,
    project,
    jobs: [...jobs.values()],
    loadError,
    reload: useCallback(() => setAttempt((n) => n + 1), []),
    projectOpened: setProject,
  }
}

/**
 * Merge the studio's list of running jobs into what this page has seen. A job this page saw running that the studio
 * no longer lists ended while the connection was down; its outcome is unknown, so it is dropped rather than shown as
 * running for ever.
 */
function withRunning(seen: ReadonlyMap<string, JobProgress>, running: JobProgress[]): Map<string, JobProgress> {
  const merged = new Map([...seen].filter(([, job]) => job.state !== 'running'))
  for (const job of running) merged.set(job.jobId, job)
  return merged
}
