// The project's runs, newest first: `runs.list` on every (re)connection (events sent while the connection was down
// never arrive), then kept current by `run.changed`.
import { useEffect, useState } from 'react'
import type { Run } from '../../../../shared/api'
import { useConnection, useStudio, useStudioEvents } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { useExternalChanges } from '../../state/useExternalChanges'
import { upsertRun } from './runList'

export function useRuns(): { runs: Run[] | null; error: string | null } {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [runs, setRuns] = useState<Run[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const changedElsewhere = useExternalChanges() // a `kindling train` in a terminal: its run has no events here

  useEffect(() => {
    if (!open) return
    let current = true
    studio.request('runs.list', {}).then(
      (loaded) => {
        if (!current) return
        setRuns(loaded)
        setError(null)
      },
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio, open, changedElsewhere])

  useStudioEvents((event) => {
    if (event.event === 'run.changed') setRuns((held) => upsertRun(held ?? [], event.payload))
  })
  return { runs, error }
}
