// `kindling predict --project DIR --run ID [...]`: a run's checkpoint predicts boxes on the project's photos, through the
// same studio (and so the same worker thread and store writes) as the Train page's "Predict on photos". A progress line
// every few seconds, then `RESULT {json}`; Ctrl-C cancels after the current batch, keeping the photos done.
import { PredictSettings, StudioError } from '../../../shared/api.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'

export const PREDICT_USAGE =
  `  kindling predict --project DIR --run ID [--epoch N] [--scope all|unreviewed|val] [--min-score S] [--batch-size N]\n` +
  `                                                predict boxes on the photos with a run's best checkpoint (or epoch\n` +
  `                                                N's), replacing earlier predictions; the Review filter "Predictions\n` +
  `                                                disagree" then finds photos where they and the labels differ;\n` +
  `                                                ends with RESULT {"runId","photos","boxes","disagree"}`

export function parsePredictArgs(args: string[]): { project: string; settings: PredictSettings } {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    run: { type: 'string' },
    epoch: { type: 'string' },
    scope: { type: 'string' },
    'min-score': { type: 'string' },
    'batch-size': { type: 'string' },
  })
  if (!values.project) throw new UsageError('--project DIR is required')
  if (!values.run) throw new UsageError('--run ID is required (kindling runs --project DIR lists them)')
  const num = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${value}"`)
    return n
  }
  const parsed = PredictSettings.safeParse({
    runId: num('run', values.run),
    epoch: num('epoch', values.epoch),
    scope: values.scope,
    minScore: num('min-score', values['min-score']),
    batchSize: num('batch-size', values['batch-size']),
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = { runId: 'run', minScore: 'min-score', batchSize: 'batch-size' }[String(issue.path[0])] ?? String(issue.path[0])
    throw new UsageError(`--${flag}: ${issue.message}`)
  }
  return { project: values.project, settings: parsed.data }
}

export async function predictCommand(args: string[]): Promise<number> {
  const { project, settings } = parsePredictArgs(args)
  try {
    return await withProject(project, false, async (studio) => {
      let lastLine = performance.now()
      const { final: progress, result } = await runJobFromCli(studio, () => studio.predict(settings), {
        sigterm: true,
        onEvent: (e, { job }) => {
          if (e.event !== 'job.progress' || e.payload.jobId !== job.id || e.payload.state !== 'running') return
          if (performance.now() - lastLine < 5000) return
          lastLine = performance.now()
          console.log(`${e.payload.done}/${e.payload.total ?? '?'} photos`)
        },
      })
      if (progress.state === 'failed') {
        console.error(`kindling: prediction failed: ${progress.message ?? 'unknown reason'}`)
        return 1
      }
      const summary = await result
      for (const s of progress.skipped) console.error(`skipped ${s.path}: ${s.reason}`)
      // A classifier run predicts its tag, not boxes.
      const what = summary.tagged ? `${summary.tagged.tag} (set on ${summary.tagged.set})` : `${summary.boxes} boxes`
      console.log(
        `Run ${summary.runId} (epoch ${summary.epoch}) predicted ${what} on ${summary.photos} photos; ` +
          `${summary.disagree} disagree with their labels${summary.cancelled ? ' (cancelled: the photos done are kept)' : ''}`,
      )
      console.log(
        `RESULT ${JSON.stringify({ runId: summary.runId, epoch: summary.epoch, photos: summary.photos, boxes: summary.boxes, disagree: summary.disagree, skipped: summary.skipped, cancelled: summary.cancelled, ...(summary.tagged ? { tagged: summary.tagged } : {}) })}`,
      )
      return summary.cancelled ? 1 : 0
    })
  } catch (error) {
    if (error instanceof StudioError) throw new Error(error.message, { cause: error })
    throw error
  }
}
