// The runs compared on one device: `runs.compare` on every (re)connection and device choice, and again when what it
// shows moves — a run ends, a deployment finishes, or another process (a `kindling train` or `deploy` in a terminal)
// changed the project.
import { useEffect, useState } from 'react'
import type { Result } from '../../../../shared/api'
import { useConnection, useStudio, useStudioEvents } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { useExternalChanges } from '../../state/useExternalChanges'

export type Comparison = Result<'runs.compare'>

export function useComparison(device: string | null): { comparison: Comparison | null; error: string | null } {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [comparison, setComparison] = useState<Comparison | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [moved, setMoved] = useState(0)
  const changedElsewhere = useExternalChanges()

  useStudioEvents(({ event, payload }) => {
    if ((event === 'run.changed' && payload.state !== 'running') || (event === 'deploy.changed' && payload.state === 'done')) {
      setMoved((n) => n + 1)
    }
  })

  useEffect(() => {
    if (!open) return
    let current = true
    studio.request('runs.compare', device === null ? {} : { device }).then(
      (loaded) => {
        if (!current) return
        setComparison(loaded)
        setError(null)
      },
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio, open, device, moved, changedElsewhere])

  return { comparison, error }
}
