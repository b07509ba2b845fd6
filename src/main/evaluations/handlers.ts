// The Evaluate page's requests: evaluate a run's checkpoint on a split (a job, cached in the store), its report at an
// IoU, its mistakes page by page, and the run's deploy threshold.
import { StudioError } from '../../shared/api.js'
import type { Handlers, StudioContext } from '../studio.js'

type EvaluationsMethod = 'evaluations.start' | 'evaluations.get' | 'evaluations.list' | 'evaluations.errors' | 'runs.setThreshold'

const notBuilt = (method: string) => () => {
  throw new StudioError(`${method} is not built yet`, 'failed')
}

export function evaluationsHandlers(ctx: StudioContext): Pick<Handlers, EvaluationsMethod> {
  void ctx
  return {
    'evaluations.start': notBuilt('evaluations.start'),
    'evaluations.get': notBuilt('evaluations.get'),
    'evaluations.list': notBuilt('evaluations.list'),
    'evaluations.errors': notBuilt('evaluations.errors'),
    'runs.setThreshold': notBuilt('runs.setThreshold'),
  }
}
