// `kindling train --project DIR [--preset NAME] [...]`: a training run from the command line, through the same studio
// (and so the same worker thread, store records and checkpoints) as the Train page. The labelled photos per split (and a
// warning when train holds too few) first, a line per evaluation and a few per epoch, the run's verdict, then
// `RESULT {json}`; Ctrl-C cancels after the current step, keeping the checkpoints (resume from the studio).
import { type ClassifierScore, FROZEN_THROUGHOUT, PI_PRESET, StudioError, TrainSettings } from '../../../shared/api.js'
import { bestScore, runVerdict, tooFewPhotosWarning } from '../../../shared/run-quality.js'
import { defaultInit, presetTask, TRAIN_PRESETS } from '../../train/index.js'

/** The classifier preset `--tag` trains when no --preset is named: the one for a Pi, as for detectors. */
export const PI_CLASSIFIER_PRESET = 'mobilenet-classifier-160'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'

export const TRAIN_USAGE =
  `  kindling train --project DIR [--preset NAME] [--epochs N | --minutes N] [--batch-size N] [--lr X]\n` +
  `                 [--labels all|reviewed] [--no-augment] [--eval-every N] [--seed N] [--init random|SOURCE]\n` +
  `                 [--name TEXT] [--json]\n` +
  `                 [--from RUN [--epoch N] [--classes A,B,…] [--from-attribute NEW=CLASS+ATTRIBUTE]…\n` +
  `                  [--freeze-backbone N|all]]\n` +
  `                                                train a detector on the project's labels for N epochs (default\n` +
  `                                                10) or N minutes (steps planned to end on time, evaluated);\n` +
  `                                                preset: ${PI_PRESET} (for a Raspberry Pi) unless named\n` +
  `                                                (\`kindling presets\` lists them); --init: the backbone's start,\n` +
  `                                                by default pretrained where weights fit the preset\n` +
  `                                                (${TRAIN_PRESETS.filter((name) => defaultInit(name) !== 'random').join(', ')}),\n` +
  `                                                else random; checkpoints in DIR/runs/ID/;\n` +
  `                                                ends with RESULT {"runId","state","steps","ap50","ap","checkpoint","quality"};\n` +
  `                                                --from RUN: fine-tune run RUN's best checkpoint (or epoch N's):\n` +
  `                                                its preset and weights, the new classes' scores fresh; --classes\n` +
  `                                                keeps the parent's and adds new ones; --from-attribute\n` +
  `                                                smiling-face=face+smiling trains a face box whose smiling\n` +
  `                                                attribute is true as smiling-face (nothing is relabelled);\n` +
  `                                                --freeze-backbone N keeps the backbone as the parent's for the\n` +
  `                                                first N epochs, all for the whole run (an attribute learns best)\n` +
  `  kindling train --project DIR --tag TAG [--preset alexnet-classifier|${PI_CLASSIFIER_PRESET}] [--epochs N | --minutes N] […]\n` +
  `                                                train a whole-image classifier of image tag TAG (e.g. smiling):\n` +
  `                                                on the photos with the tag, set or not (a person's, imported or\n` +
  `                                                kindled; never predicted); scored by accuracy, per-class precision\n` +
  `                                                and recall and a confusion matrix on val; preset:\n` +
  `                                                ${PI_CLASSIFIER_PRESET} (for a Raspberry Pi) unless named;\n` +
  `                                                RESULT adds "accuracy"`

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
    minutes: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    labels: { type: 'string' },
    'no-augment': { type: 'boolean' },
    'eval-every': { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    from: { type: 'string' },
    epoch: { type: 'string' },
    classes: { type: 'string' },
    'from-attribute': { type: 'string', multiple: true },
    'freeze-backbone': { type: 'string' },
    tag: { type: 'string' },
  })
  if (!values.project) throw new UsageError('--project DIR is required')
  if (values.epochs !== undefined && values.minutes !== undefined) throw new UsageError('--epochs and --minutes: give one, not both')
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes)
  if (minutes !== undefined && (values.minutes!.trim() === '' || !Number.isFinite(minutes))) {
    throw new UsageError(`--minutes must be a number, not "${values.minutes}"`)
  }
  const lr = values.lr === undefined ? undefined : Number(values.lr)
  if (lr !== undefined && (values.lr!.trim() === '' || !Number.isFinite(lr))) throw new UsageError(`--lr must be a number, not "${values.lr}"`)
  const fineTune = values.from !== undefined
  for (const flag of ['epoch', 'freeze-backbone'] as const) {
    if (values[flag] !== undefined && !fineTune) throw new UsageError(`--${flag} fine-tunes a run: give --from RUN too`)
  }
  if (fineTune && values.preset !== undefined) throw new UsageError("--preset and --from: a fine-tune trains its parent run's preset")
  if (fineTune && values.init !== undefined) throw new UsageError("--init and --from: a fine-tune starts from its parent run's weights")
  const classes = values.classes?.split(',').map((c) => c.trim())
  if (classes?.some((c) => c === '')) throw new UsageError(`--classes: a comma-separated list of class names, not "${values.classes}"`)
  const classMap = fromAttributes(values['from-attribute'] ?? [])
  if (values.tag !== undefined && fineTune)
    throw new UsageError('--tag and --from: a fine-tune adds classes to a detector; a tag trains a classifier')
  if (values.preset !== undefined && presetTask(values.preset) === 'classify' && values.tag === undefined) {
    throw new UsageError(`--preset ${values.preset} classifies whole photos by an image tag: name it with --tag (e.g. --tag smiling)`)
  }
  const parsed = TrainSettings.safeParse({
    from: fineTune ? { runId: int('from', values.from), epoch: int('epoch', values.epoch) } : undefined,
    classes,
    classMap,
    freezeBackboneEpochs: values['freeze-backbone']?.trim() === 'all' ? FROZEN_THROUGHOUT : int('freeze-backbone', values['freeze-backbone']),
    preset: values.preset ?? (values.tag === undefined ? PI_PRESET : PI_CLASSIFIER_PRESET),
    tag: values.tag,
    name: values.name,
    epochs: int('epochs', values.epochs),
    minutes,
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
    const flag =
      {
        batchSize: 'batch-size',
        learningRate: 'lr',
        evalEvery: 'eval-every',
        from: issue.path[1] === 'epoch' ? 'epoch' : 'from',
        classMap: 'from-attribute',
        freezeBackboneEpochs: 'freeze-backbone',
      }[String(issue.path[0])] ?? String(issue.path[0])
    throw new UsageError(`--${flag}: ${issue.message}`)
  }
  return { project: values.project, settings: parsed.data, json: values.json ?? false }
}

/** `--from-attribute smiling-face=face+smiling`, as many as given: the run's class map. */
function fromAttributes(specs: string[]): TrainSettings['classMap'] {
  if (specs.length === 0) return undefined
  const map: NonNullable<TrainSettings['classMap']> = {}
  for (const spec of specs) {
    const m = /^([^=]+)=([^+]+)\+(.+)$/.exec(spec)
    if (!m) throw new UsageError(`--from-attribute: NEW=CLASS+ATTRIBUTE, e.g. smiling-face=face+smiling, not "${spec}"`)
    const [name, from, attribute] = [m[1].trim(), m[2].trim(), m[3].trim()]
    if (map[name]) throw new UsageError(`--from-attribute: ${name} is given twice`)
    map[name] = { from, attribute }
  }
  return map
}

/** A duration as the step lines say it: "42 s", "12 min", "1 h 05 min". */
export function timeLeft(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  const m = Math.round(s / 60)
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`
}

export const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits))

/** A classifier's evaluation in a line: "accuracy 0.950 (smiling: precision 0.93, recall 0.97; not smiling: …)". */
export function classifierLine(score: ClassifierScore): string {
  const classes = [...score.classes]
    .reverse()
    .map((c) => `${c.name}: precision ${fixed(c.precision, 2)}, recall ${fixed(c.recall, 2)}`)
    .join('; ')
  return `accuracy ${fixed(score.accuracy)} on ${score.photos} photos (${classes})`
}

export async function trainCommand(args: string[]): Promise<number> {
  const { project, settings, json } = parseTrainArgs(args)
  try {
    return await withProject(project, false, async (studio) => {
      let lastLine = 0
      let planned = 0
      let etaMs: number | null = null
      const print = (line: string | object) => console.log(typeof line === 'string' ? line : JSON.stringify(line))
      const start = async () => {
        // What the run will learn from, and whether that is enough, before it starts (a refusal says why it cannot).
        const split = await studio.handlers['train.counts']({ labels: settings.labels, tag: settings.tag })
        // The photo count a detector needs was measured for detectors; a classifier's is not known (no guess).
        const warning = split.train > 0 && settings.tag === undefined ? tooFewPhotosWarning(split.train - split.heldOut) : null
        if (json) {
          print({ type: 'photos', ...split })
          if (warning) print({ type: 'warning', message: warning })
        } else {
          print(
            `${settings.labels === 'reviewed' ? 'Reviewed' : 'Labelled'} photos${settings.tag ? ` with a ${settings.tag} tag` : ''}: ` +
              `${split.train} train · ${split.val} val · ${split.test} test (test is never trained on)`,
          )
          if (warning) print(`warning: ${warning}`)
        }
        const started = studio.train(settings)
        const first = (await studio.handlers['runs.get']({ runId: started.runId })).run
        if (!json) {
          const length = settings.minutes === undefined ? `${first.steps} steps` : `${settings.minutes} minutes (steps planned once timed)`
          if (first.parent) {
            const n = first.settings.freezeBackboneEpochs ?? 0
            const frozen = n > 0 ? `, backbone frozen for the first ${n === 1 ? 'epoch' : `${n} epochs`}` : ''
            print(
              `Run ${started.runId} (${first.name}): fine-tuned from ${first.parent.name ?? `run ${first.parent.runId}`} ` +
                `(epoch ${first.parent.epoch}), ${first.preset}, classes ${first.classes.join(', ')}${frozen}, ` +
                `${first.trainImages} photos to train, ${first.valImages} to evaluate, ${length}`,
            )
          } else if (first.task === 'classify')
            print(
              `Run ${started.runId} (${first.name}): ${settings.preset} classifying ${first.classes.join(' / ')}, ` +
                `${first.trainImages} photos to train, ${first.valImages} to evaluate, ${length}`,
            )
          else
            print(
              `Run ${started.runId} (${first.name}): ${settings.preset}` +
                `${settings.init && settings.init !== 'random' ? ` from pretrained ${settings.init}` : ''}, ${first.trainImages} photos to train, ` +
                `${first.valImages} to evaluate, ${length}`,
            )
        }
        return started
      }
      const { runId, final: progress } = await runJobFromCli(studio, start, {
        sigterm: true,
        onEvent: (e, started) => {
          if (e.event === 'job.progress' && e.payload.jobId === started.job.id) etaMs = e.payload.etaMs
          else if (e.event === 'run.changed' && e.payload.id === started.runId && settings.minutes !== undefined) {
            // A budget run's plan, when it is made and when the pace moves it.
            if (e.payload.steps === planned || e.payload.steps === 0) return
            planned = e.payload.steps
            if (json) return print({ type: 'plan', steps: planned })
            print(`planned ${planned} steps to end within ${settings.minutes} minutes`)
          } else if (e.event === 'run.step' && e.payload.runId === started.runId) {
            // A line every few seconds and at each epoch's first step: enough to watch, not a wall of numbers.
            const now = performance.now()
            if (json) return print({ type: 'step', ...e.payload })
            if (now - lastLine < 5000 && e.payload.step !== 1) return
            lastLine = now
            // A classifier's loss is all classification: no parts to show.
            const parts = settings.tag ? '' : ` (classification ${fixed(e.payload.classification)}, box ${fixed(e.payload.box)})`
            print(
              `step ${e.payload.step} (epoch ${e.payload.epoch}): loss ${fixed(e.payload.loss)}${parts}, ` +
                `learning rate ${e.payload.learningRate.toExponential(2)}` +
                (etaMs === null ? '' : `, ${timeLeft(etaMs)} left`),
            )
          } else if (e.event === 'run.eval' && e.payload.runId === started.runId) {
            if (json) return print({ type: 'eval', ...e.payload })
            if (e.payload.classifier) return print(`epoch ${e.payload.epoch}: ${classifierLine(e.payload.classifier)} → ${e.payload.checkpoint}`)
            print(
              `epoch ${e.payload.epoch}: AP50 ${fixed(e.payload.ap50)}, AP ${fixed(e.payload.ap)}, recall ${fixed(e.payload.recall)} → ${e.payload.checkpoint}`,
            )
          }
        },
      })
      const { run, evals } = await studio.handlers['runs.get']({ runId })
      const best = evals.find((e) => e.checkpoint === run.bestCheckpoint)
      const verdict = runVerdict(bestScore(run), run.task)
      const classify = run.task === 'classify'
      const result = {
        runId,
        state: run.state,
        steps: run.step,
        ap50: run.bestAp50,
        ap: classify ? null : (best?.ap ?? null),
        ...(classify ? { accuracy: run.bestAccuracy } : {}),
        checkpoint: run.bestCheckpoint,
        quality: verdict.quality,
        backend: run.backend,
        ...(run.error ? { error: run.error } : {}),
      }
      if (!json && bestScore(run) !== null) print(`${verdict.label}: ${verdict.explanation}`)
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
