// The Train page's Export: a run's checkpoint as ONNX and TF.js (and int8) in the project's exports/ folder, and the
// exports made so far.
import type { Handlers, StudioContext } from '../studio.js'
import { listExports } from './export-run.js'

export function exportHandlers(ctx: StudioContext): Pick<Handlers, 'export.start' | 'export.list'> {
  return {
    'export.start': (settings) => ({ jobId: ctx.exportRun(settings).job.id }),
    'export.list': ({ runId }) => listExports(ctx.requireStore().dir, runId),
  }
}
