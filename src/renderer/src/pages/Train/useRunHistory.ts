// The selected run's curves: its whole history from `runs.get`, then the live `run.step` / `run.eval` events for that
// run (others' are ignored). Events that arrive while `runs.get` is on its way are held and merged after it (RunHistory
// drops the ones it already has). The history is mutated in place and the charts are told at most ~10 times a second
// through `version`: a run reports steps far faster than anyone reads a chart.
import { useEffect, useRef, useState } from 'react'
import type { RunEval, RunStep } from '../../../../shared/api'
import { useConnection, useStudio, useStudioEvents } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { RunHistory } from './runHistory'

const REDRAW_MS = 100

export interface RunCurves {
  /** Null until `runs.get` has answered for the selected run. */
  history: RunHistory | null
  /** Bumped whenever `history` changed: the charts' cue to redraw. */
  version: number
  error: string | null
}

export function useRunHistory(runId: number | null, smoothing: number): RunCurves {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [history, setHistory] = useState<RunHistory | null>(null)
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const live = useRef<RunHistory | null>(null)
  const held = useRef<{ runId: number; steps: RunStep[]; evals: RunEval[] } | null>(null)
  const timer = useRef<number | null>(null)
  const smoothingNow = useRef(smoothing)
  smoothingNow.current = smoothing

  const redrawSoon = () => {
    if (timer.current !== null) return
    timer.current = window.setTimeout(() => {
      timer.current = null
      setVersion((v) => v + 1)
    }, REDRAW_MS)
  }

  useEffect(() => {
    live.current = null
    setHistory(null)
    setError(null)
    if (runId === null || !open) return
    const waiting = { runId, steps: [] as RunStep[], evals: [] as RunEval[] }
    held.current = waiting
    let current = true
    studio.request('runs.get', { runId }).then(
      ({ steps, evals }) => {
        if (!current) return
        const loaded = new RunHistory(runId, smoothingNow.current)
        loaded.addSteps(steps)
        loaded.addEvals(evals)
        loaded.addSteps(waiting.steps)
        loaded.addEvals(waiting.evals)
        held.current = null
        live.current = loaded
        setHistory(loaded)
        setVersion((v) => v + 1)
      },
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
      if (timer.current !== null) window.clearTimeout(timer.current)
      timer.current = null
    }
  }, [studio, runId, open])

  useEffect(() => {
    if (!live.current) return
    live.current.setSmoothing(smoothing)
    setVersion((v) => v + 1)
  }, [smoothing])

  useStudioEvents((event) => {
    if (event.event !== 'run.step' && event.event !== 'run.eval') return
    if (event.payload.runId !== runId) return
    const target = live.current
    if (event.event === 'run.step') {
      if (!target) held.current?.steps.push(event.payload)
      else if (target.addStep(event.payload)) redrawSoon()
    } else {
      if (!target) held.current?.evals.push(event.payload)
      else if (target.addEval(event.payload)) redrawSoon()
    }
  })

  return { history, version, error }
}
