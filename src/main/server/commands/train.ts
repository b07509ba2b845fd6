// `kindling train --project DIR --preset NAME [...]`: a training run from the command line, through the same studio
// (and so the same worker thread, store records and checkpoints) as the Train page. A line per evaluation and a few per
// epoch, then `RESULT {json}`; Ctrl-C cancels after the current step, keeping the checkpoints (resume from the studio).
// `kindling runs --project DIR`: the project's runs, newest first.
import { StudioError, TrainSettings, type Run, type StudioEvent } from '../../../shared/api.js'
import { Studio } from '../../studio.js'
import { TRAIN_PRESETS } from '../../train/index.js'
import { parseOptions, UsageError } from '../usage.js'

export const TRAIN_USAGE =
  `  kindling train --project DIR --preset NAME [--epochs N] [--batch-size N] [--lr X] [--labels all|reviewed]\n` +
  `                 [--no-augment] [--eval-every N] [--seed N] [--name TEXT] [--json]\n` +
  `                                                train a detector on the project's labels (presets, fastest first:\n` +
  `                                                ${TRAIN_PRESETS.slice(0, 3).join(', ')}, …); checkpoints in DIR/runs/ID/;\n` +
  `                                                ends with RESULT {"runId","state","steps","ap50","ap","checkpoint"}\n` +
  `  kindling runs --project DIR [--json]          the project's training runs, newest first`

const int = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, not "${value}"`)
  return n
}

export function parseTrainArgs(args: string[]): { project: string; settings: TrainSettings; json: boolean } {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    preset: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    labels: { type: 'string' },
    'no-augment': { type: 'boolean' },
    'eval-every': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (!values.project) throw new UsageError('--project DIR is required')
  if (!values.preset) throw new UsageError(`--preset NAME is required (one of ${TRAIN_PRESETS.join(', ')})`)
  const lr = values.lr === undefined ? undefined : Number(values.lr)
  if (lr !== undefined && (values.lr!.trim() === '' || !Number.isFinite(lr))) throw new UsageError(`--lr must be a number, not "${values.lr}"`)
  const parsed = TrainSettings.safeParse({
    preset: values.preset,
    name: values.name,
    epochs: int('epochs', values.epochs),
    batchSize: int('batch-size', values['batch-size']),
    learningRate: lr,
    labels: values.labels,
    augment: !values['no-augment'],
    evalEvery: int('eval-every', values['eval-every']),
    seed: int('seed', values.seed),
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = { batchSize: 'batch-size', learningRate: 'lr', evalEvery: 'eval-every' }[String(issue.path[0])] ?? String(issue.path[0])
    throw new UsageError(`--${flag}: ${issue.message}`)
  }
  return { project: values.project, settings: parsed.data, json: values.json ?? false }
}

const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits))

export async function trainCommand(args: string[]): Promise<number> {
  const { project, settings, json } = parseTrainArgs(args)
  const studio = new Studio()
  let started: { jobId: string; runId: number } | undefined
  const abort = () => started && studio.cancelJob(started.jobId)
  try {
    await studio.openProject(project)
    let lastLine = 0
    const print = (line: string | object) => console.log(typeof line === 'string' ? line : JSON.stringify(line))
    const listener = (e: StudioEvent) => {
      if (!started) return
      if (e.event === 'run.step' && e.payload.runId === started.runId) {
        // A line every few seconds and at each epoch's first step: enough to watch, not a wall of numbers.
        const now = performance.now()
        if (json) return print({ type: 'step', ...e.payload })
        if (now - lastLine < 5000 && e.payload.step !== 1) return
        lastLine = now
        print(`step ${e.payload.step} (epoch ${e.payload.epoch}): loss ${fixed(e.payload.loss)} (classification ` +
          `${fixed(e.payload.classification)}, box ${fixed(e.payload.box)}), learning rate ${e.payload.learningRate.toExponential(2)}`)
      } else if (e.event === 'run.eval' && e.payload.runId === started.runId) {
        if (json) return print({ type: 'eval', ...e.payload })
        print(`epoch ${e.payload.epoch}: AP50 ${fixed(e.payload.ap50)}, AP ${fixed(e.payload.ap)}, recall ${fixed(e.payload.recall)} → ${e.payload.checkpoint}`)
      }
    }
    studio.on('event', listener)
    const { job, jobId, runId } = studio.train(settings)
    started = { jobId, runId }
    const first = (await studio.handlers['runs.get']({ runId })).run
    if (!json) {
      print(`Run ${runId} (${first.name}): ${settings.preset}, ${first.trainImages} photos to train, ` +
        `${first.valImages} to evaluate, ${first.steps} steps`)
    }
    process.once('SIGINT', abort)
    process.once('SIGTERM', abort)
    const progress = await job.finished
    studio.off('event', listener)
    const { run, evals } = await studio.handlers['runs.get']({ runId })
    const best = evals.find((e) => e.checkpoint === run.bestCheckpoint)
    const result = {
      runId,
      state: run.state,
      steps: run.step,
      ap50: run.bestAp50,
      ap: best?.ap ?? null,
      checkpoint: run.bestCheckpoint,
      backend: run.backend,
      ...(run.error ? { error: run.error } : {}),
    }
    if (run.state === 'failed') console.error(`kindling: training failed: ${run.error ?? progress.message ?? 'unknown reason'}`)
    else if (run.state === 'cancelled') console.error(`kindling: training cancelled at step ${run.step}; resume it from the studio`)
    console.log(`RESULT ${JSON.stringify(result)}`)
    return run.state === 'done' ? 0 : 1
  } catch (error) {
    if (error instanceof StudioError) throw new Error(error.message)
    throw error
  } finally {
    process.off('SIGINT', abort)
    process.off('SIGTERM', abort)
    await studio.close()
  }
}

export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { project: { type: 'string' }, json: { type: 'boolean' } })
  if (!values.project) throw new UsageError('--project DIR is required')
  const studio = new Studio()
  try {
    await studio.openProject(values.project)
    const runs: Run[] = await studio.handlers['runs.list']({})
    if (values.json) console.log(JSON.stringify(runs))
    else if (runs.length === 0) console.log('No training runs yet: kindling train --project DIR --preset NAME')
    else {
      for (const r of runs) {
        console.log(
          `${String(r.id).padStart(4)}  ${r.state.padEnd(9)}  ${r.preset}  step ${r.step}/${r.steps}, epoch ${r.epoch}/${r.settings.epochs}` +
            `  best AP50 ${fixed(r.bestAp50)}  ${r.name}${r.error ? `\n        ${r.error}` : ''}`,
        )
      }
    }
    return 0
  } finally {
    await studio.close()
  }
}
