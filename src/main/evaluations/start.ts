// Starting an evaluation, or finding the one already there: a checkpoint and split evaluated before are answered from
// the store at once, one being evaluated now with its job. Only a new one runs, as a job, alone like predicting (it
// takes the CPU the same way).
import type { EvalSplit, Evaluation, StudioEvent } from '../../shared/api.js'
import { StudioError } from '../../shared/api.js'
import type { Job, JobRunner } from '../jobs/index.js'
import type { Store } from '../store/index.js'
import { EVAL_MIN_SCORE, EVAL_TOP_K, evaluationJob, prepareEvaluation } from './job.js'
import { evaluationReport } from './answers.js'
import { checkpointIdentity, checkpointUnchanged } from './checkpoint-identity.js'

export interface EvaluationStart {
  /** Null when the evaluation was already done (nothing to run). */
  job: Job | null
  evaluationId: number
  /** Settles with the evaluation when it is done (at once for one already done). */
  result: Promise<Evaluation>
}

export interface EvaluationDeps {
  jobs: Pick<JobRunner, 'startWithResult'>
  /** Throws when another job runs (the studio's one-heavy-job-at-a-time rule). */
  refuseIfBusy(): void
  send(event: StudioEvent): void
}

const running = new WeakMap<Store, Map<number, { job: Job; result: Promise<Evaluation> }>>()

export function startEvaluation(
  store: Store,
  params: { runId: number; epoch?: number; split: EvalSplit; again?: boolean },
  deps: EvaluationDeps,
): EvaluationStart {
  const prepared = prepareEvaluation(store, params)
  const mine = running.get(store) ?? new Map<number, { job: Job; result: Promise<Evaluation> }>()
  running.set(store, mine)
  const existing = store.evaluations.current(prepared.runId, prepared.epoch, prepared.split)
  if (existing?.state === 'running') {
    const here = mine.get(existing.id)
    if (here) return { job: here.job, evaluationId: existing.id, result: here.result }
    throw new StudioError(
      `run ${prepared.runId}'s epoch ${prepared.epoch} is being evaluated on ${prepared.split} by another studio or a kindling command`,
      'conflict',
    )
  }
  // Done, and of the weights the checkpoint still holds: answered from the store.
  if (existing?.state === 'done' && !params.again && checkpointUnchanged(store, existing)) {
    return { job: null, evaluationId: existing.id, result: Promise.resolve(existing) }
  }
  deps.refuseIfBusy()
  const evaluation = store.evaluations.create({
    runId: prepared.runId,
    epoch: prepared.epoch,
    split: prepared.split,
    checkpoint: prepared.checkpoint,
    photos: prepared.photos,
    minScore: EVAL_MIN_SCORE,
    topK: Math.min(EVAL_TOP_K, prepared.config.decoding.topK),
    classes: prepared.classes,
    identity: checkpointIdentity(prepared.checkpoint),
  })
  const changed = (e: Evaluation) => deps.send({ event: 'evaluation.changed', payload: e })
  changed(evaluation)
  const started = deps.jobs.startWithResult('evaluate', store.dir, async (ctx) => {
    const e = await evaluationJob(store, prepared, evaluation.id, ctx, { onChange: changed })
    // Matched now, as part of the job: the Evaluate page's first report after it is answered from memory (and, kept
    // in the store, after a restart).
    const run = store.runs.get(e.runId)
    if (e.state === 'done' && run) evaluationReport(store, e, run, 0.5, undefined)
    return e
  })
  const entry = { job: started.job, result: started.result }
  mine.set(evaluation.id, entry)
  const forget = () => mine.delete(evaluation.id)
  started.result.then(forget, forget)
  return { job: started.job, evaluationId: evaluation.id, result: started.result }
}
