// Evaluations: a run's checkpoint on a split, inferred once as a job and kept (job.ts, start.ts), matched against the
// labels as they are now into a report and error lists (report.ts), answered to the Evaluate page (handlers.ts).
export { EVAL_MIN_SCORE, EVAL_TOP_K, evaluationJob, prepareEvaluation, type PreparedEvaluation } from './job.js'
export { curveIou, CURVE_POINTS, EvaluationCache, evaluationCache, loadEvaluation, LoadedEvaluation, type EvalPhoto } from './report.js'
export { startEvaluation, type EvaluationDeps, type EvaluationStart } from './start.js'
export { evaluationsHandlers, resolveEpoch } from './handlers.js'
