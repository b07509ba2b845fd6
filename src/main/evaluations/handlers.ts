// The Evaluate page's requests: evaluate a run's checkpoint on a split (a job, cached in the store), its report at an
// IoU, its mistakes page by page, and the run's deploy threshold ("use for deploy").
import { type EvalSplit, StudioError } from '../../shared/api.js'
import type { Store } from '../store/index.js'
import type { Handlers, StudioContext } from '../studio.js'
import { runCheckpoint } from '../train/index.js'
import { evaluationErrors, evaluationReport } from './answers.js'
import { checkpointUnchanged } from './checkpoint-identity.js'

type EvaluationsMethod = 'evaluations.start' | 'evaluations.get' | 'evaluations.list' | 'evaluations.errors' | 'runs.setThreshold'

/** The checkpoint's epoch: the given one, else the run's best (else last) checkpoint's. */
export function resolveEpoch(store: Store, runId: number, epoch?: number): number {
  return runCheckpoint(store, runId, epoch).info.epoch
}

function requireRun(store: Store, runId: number) {
  const run = store.runs.get(runId)
  if (!run) throw new StudioError(`no run ${runId} in this project`, 'not_found', 'params.runId')
  return run
}

export function evaluationsHandlers(ctx: StudioContext): Pick<Handlers, EvaluationsMethod> {
  return {
    'evaluations.start': (params) => {
      const { job, evaluationId } = ctx.evaluate(params)
      return { jobId: job?.id ?? null, evaluationId }
    },
    'evaluations.get': ({ runId, epoch, split, iou, threshold }) => {
      const store = ctx.requireStore()
      const run = requireRun(store, runId)
      const evaluation = store.evaluations.current(runId, resolveEpoch(store, runId, epoch), split as EvalSplit)
      // One of weights the checkpoint no longer holds (a resumed run wrote it again) is not an answer: start infers anew.
      if (!evaluation || evaluation.state !== 'done' || !checkpointUnchanged(store, evaluation)) return null
      return evaluationReport(store, evaluation, run, iou, threshold)
    },
    'evaluations.list': ({ runId }) => {
      const store = ctx.requireStore()
      requireRun(store, runId)
      return store.evaluations.list(runId)
    },
    'evaluations.errors': (q) => {
      const store = ctx.requireStore()
      const evaluation = store.evaluations.get(q.evaluationId)
      if (!evaluation) throw new StudioError(`no evaluation ${q.evaluationId} in this project`, 'not_found', 'params.evaluationId')
      if (evaluation.state !== 'done') {
        throw new StudioError(
          `evaluation ${q.evaluationId} is ${evaluation.state}, not done: its mistakes are not all known`,
          'conflict',
          'params.evaluationId',
        )
      }
      // The classes as the evaluation kept them: checking the request needs no matching.
      const classes = store.evaluations.classes(evaluation.id)
      if (q.classIndex !== undefined && q.classIndex > classes.length) {
        throw new StudioError(
          `classIndex ${q.classIndex}: the run has ${classes.length} class${classes.length === 1 ? '' : 'es'} (${classes.join(', ')})`,
          'invalid',
          'params.classIndex',
        )
      }
      return evaluationErrors(store, evaluation, requireRun(store, evaluation.runId), q)
    },
    'runs.setThreshold': ({ runId, threshold }) => {
      const store = ctx.requireStore()
      const run = requireRun(store, runId)
      if (run.task === 'classify') {
        throw new StudioError(`run ${runId} is a classifier: it has no box score threshold to set`, 'invalid', 'params.runId')
      }
      const updated = store.runs.setThreshold(runId, threshold)
      ctx.send({ event: 'run.changed', payload: updated })
      return updated
    },
  }
}
