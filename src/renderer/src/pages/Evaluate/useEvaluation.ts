// One checkpoint's evaluation on one split: its report once computed (`evaluations.get`), or where its job is (the
// `evaluation.changed` events, and the job's progress for its time left and Cancel), and Start. The report is asked
// for again whenever the evaluation finishes, the page is shown again (a label fixed in Review is matched afresh), the
// connection comes back, or another process changed the project; `threshold` (debounced by the caller) moves the
// confusion matrix, which the studio counts.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { EvalIou, EvalSplit, Evaluation, EvaluationReport, JobProgress } from '../../../../shared/api'
import { useConnection, useStudio, useStudioEvents } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { useExternalChanges } from '../../state/useExternalChanges'

export interface EvaluationKey {
  runId: number
  epoch: number
  split: EvalSplit
}

export interface EvaluationState {
  /** The report, null when this checkpoint and split have none yet; undefined while the first answer is on its way. */
  report: EvaluationReport | null | undefined
  /** The evaluation as last heard of (running, or how it ended), when there is one. */
  evaluation: Evaluation | null
  /** Its job while it runs (time left, and the id Cancel needs). */
  job: JobProgress | null
  error: string | null
  starting: boolean
  /** Computing: its job runs, or has just been started and not heard of yet. */
  running: boolean
  start(again?: boolean): Promise<void>
  cancel(): void
}

const sameKey = (e: Pick<Evaluation, 'runId' | 'epoch' | 'split'>, key: EvaluationKey) =>
  e.runId === key.runId && e.epoch === key.epoch && e.split === key.split

export function useEvaluation(key: EvaluationKey | null, iou: EvalIou, threshold: number | null, jobs: JobProgress[]): EvaluationState {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const changedElsewhere = useExternalChanges()
  const [report, setReport] = useState<EvaluationReport | null | undefined>(undefined)
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null)
  const [jobId, setJobId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [finished, setFinished] = useState(0)
  const keyText = key ? `${key.runId}:${key.epoch}:${key.split}` : ''
  const [startedId, setStartedId] = useState<number | null>(null)
  const keyRef = useRef(key)
  keyRef.current = key

  // A new checkpoint or split: nothing known about it yet.
  useEffect(() => {
    setReport(undefined)
    setEvaluation(null)
    setJobId(null)
    setError(null)
    setStartedId(null)
  }, [keyText])

  useEffect(() => {
    if (!key || !open) return
    let current = true
    const params = {
      runId: key.runId,
      epoch: key.epoch,
      split: key.split,
      iou,
      ...(threshold !== null ? { threshold: studioThreshold(threshold) } : {}),
    }
    studio.request('evaluations.get', params).then(
      (answer) => {
        if (!current) return
        setReport(answer)
        if (answer) setEvaluation(answer.evaluation)
        setError(null)
      },
      (e: unknown) => current && setError(errorMessage(e)),
    )
    // One still running (started here before a reload, or by the CLI) shows its progress.
    studio.request('evaluations.list', { runId: key.runId }).then(
      (list) => {
        if (!current) return
        const mine = list.find((e) => sameKey(e, key))
        if (mine && mine.state !== 'done') setEvaluation(mine)
      },
      () => {},
    )
    return () => {
      current = false
    }
    // `key` is read through keyText.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [studio, open, keyText, iou, threshold, finished, changedElsewhere])

  useStudioEvents((event) => {
    if (event.event !== 'evaluation.changed') return
    const k = keyRef.current
    if (!k || !sameKey(event.payload, k)) return
    setEvaluation(event.payload)
    if (event.payload.state !== 'running') setFinished((n) => n + 1)
  })

  const start = useCallback(
    async (again = false) => {
      const k = keyRef.current
      if (!k) return
      setStarting(true)
      setError(null)
      try {
        const started = await studio.request('evaluations.start', { runId: k.runId, epoch: k.epoch, split: k.split, again })
        setJobId(started.jobId)
        setStartedId(started.evaluationId)
        // Already computed: the report is there to fetch.
        if (started.jobId === null) setFinished((n) => n + 1)
      } catch (e) {
        setError(errorMessage(e))
      } finally {
        setStarting(false)
      }
    },
    [studio],
  )

  // Until the evaluation just started is heard of, it is as good as running: Start must not come back meanwhile.
  const running = evaluation?.state === 'running' || starting || (jobId !== null && startedId !== null && evaluation?.id !== startedId)
  const evaluateJobs = jobs.filter((j) => j.kind === 'evaluate' && j.state === 'running')
  // The job started here, or else the one evaluation job running (one started before a reload, or by the CLI).
  const job = running ? (evaluateJobs.find((j) => j.jobId === jobId) ?? (evaluateJobs.length === 1 ? evaluateJobs[0] : null)) : null

  const cancel = useCallback(() => {
    if (job) studio.request('jobs.cancel', { jobId: job.jobId }).catch((e: unknown) => setError(errorMessage(e)))
  }, [studio, job])

  return { report, evaluation, job, error, starting, running, start, cancel }
}

/** The studio takes thresholds strictly between 0 and 1; a score of exactly 1 (or 0) is kept at the nearest it takes. */
export const studioThreshold = (t: number) => Math.min(0.9999, Math.max(0.0001, t))
