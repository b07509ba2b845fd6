// The Train page's requests: start or resume a run, predict with one, the presets, the labelled photos per split, and
// the runs with their history.
import { StudioError } from '../../shared/api.js'
import { compareRuns } from '../evaluations/compare.js'
import type { Handlers, StudioContext } from '../studio.js'
import { splitCounts, tagSplitCounts } from './dataset.js'
import { trainPresets } from './presets.js'

type TrainMethod =
  'train.start' | 'train.resume' | 'predict.start' | 'train.presets' | 'train.counts' | 'runs.list' | 'runs.get' | 'runs.compare'

export function trainHandlers(ctx: StudioContext): Pick<Handlers, TrainMethod> {
  return {
    'train.start': (settings) => {
      const { jobId, runId } = ctx.train(settings)
      return { jobId, runId }
    },
    'train.resume': (params) => {
      const { jobId, runId } = ctx.resumeRun(params.runId)
      return { jobId, runId }
    },
    'predict.start': (settings) => ({ jobId: ctx.predict(settings).job.id }),
    'train.presets': () => trainPresets(),
    'train.counts': ({ labels, tag }) =>
      tag === undefined ? splitCounts(ctx.requireStore(), labels) : tagSplitCounts(ctx.requireStore(), tag, labels),
    'runs.list': () => ctx.requireStore().runs.list(),
    'runs.get': ({ runId }) => {
      const runs = ctx.requireStore().runs
      const run = runs.get(runId)
      if (!run) throw new StudioError(`no run ${runId} in this project`, 'not_found', 'params.runId')
      return { run, steps: runs.steps(runId), evals: runs.evals(runId) }
    },
    'runs.compare': ({ device }) => compareRuns(ctx.requireStore(), device),
  }
}
