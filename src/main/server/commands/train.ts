// `kindling train --project DIR --preset NAME [...]`: a training run from the command line, through the same studio
// (and so the same worker thread, store records and checkpoints) as the Train page. A line per evaluation and a few per
// epoch, then `RESULT {json}`; Ctrl-C cancels after the current step, keeping the checkpoints (resume from the studio).
import { StudioError, TrainInit, TrainSettings } from '../../../shared/api.js'
import { TRAIN_PRESETS } from '../../train/index.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'

export const TRAIN_USAGE =
  `  kindling train --project DIR --preset NAME [--epochs N] [--batch-size N] [--lr X] [--labels all|reviewed]\n` +
  `                 [--no-augment] [--eval-every N] [--seed N] [--init random|SOURCE] [--name TEXT] [--json]\n` +
  `                                                train a detector on the project's labels (presets, fastest first:\n` +
  `                                                ${TRAIN_PRESETS.slice(0, 3).join(', ')}, …); checkpoints in DIR/runs/ID/;\n` +
  `                                                --init starts the backbone from pretrained weights\n` +
  `                                                (${TrainInit.options.filter((o) => o !== 'random').join(', ')}: mobilenet-v1-ssd-300);\n` +
  `                                                ends with RESULT {"runId","state","steps","ap50","ap","checkpoint"}`

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
    init: { type: 'string' },
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
    init: values.init,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = { batchSize: 'batch-size', learningRate: 'lr', evalEvery: 'eval-every' }[String(issue.path[0])] ?? String(issue.path[0])
    throw new UsageError(`--${flag}: ${issue.message}`)
  }
  return { project: values.project, settings: parsed.data, json: values.json ?? false }
}

export const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits))

export async function trainCommand(args: string[]): Promise<number> {
  const { project, settings, json } = parseTrainArgs(args)
  try {
    return await withProject(project, false, async (studio) => {
      let lastLine = 0
      const print = (line: string | object) => console.log(typeof line === 'string' ? line : JSON.stringify(line))
      const start = async () => {
        const started = studio.train(settings)
        const first = (await studio.handlers['runs.get']({ runId: started.runId })).run
        if (!json) {
          print(
            `Run ${started.runId} (${first.name}): ${settings.preset}` +
              `${settings.init && settings.init !== 'random' ? ` from pretrained ${settings.init}` : ''}, ${first.trainImages} photos to train, ` +
              `${first.valImages} to evaluate, ${first.steps} steps`,
          )
        }
        return started
      }
      const { runId, final: progress } = await runJobFromCli(studio, start, {
        sigterm: true,
        onEvent: (e, started) => {
          if (e.event === 'run.step' && e.payload.runId === started.runId) {
            // A line every few seconds and at each epoch's first step: enough to watch, not a wall of numbers.
            const now = performance.now()
            if (json) return print({ type: 'step', ...e.payload })
            if (now - lastLine < 5000 && e.payload.step !== 1) return
            lastLine = now
            print(
              `step ${e.payload.step} (epoch ${e.payload.epoch}): loss ${fixed(e.payload.loss)} (classification ` +
                `${fixed(e.payload.classification)}, box ${fixed(e.payload.box)}), learning rate ${e.payload.learningRate.toExponential(2)}`,
            )
          } else if (e.event === 'run.eval' && e.payload.runId === started.runId) {
            if (json) return print({ type: 'eval', ...e.payload })
            print(
              `epoch ${e.payload.epoch}: AP50 ${fixed(e.payload.ap50)}, AP ${fixed(e.payload.ap)}, recall ${fixed(e.payload.recall)} → ${e.payload.checkpoint}`,
            )
          }
        },
      })
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
    })
  } catch (error) {
    if (error instanceof StudioError) throw new Error(error.message, { cause: error })
    throw error
  }
}
