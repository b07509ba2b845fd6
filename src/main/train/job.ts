// A training run as a job. Starting one (or resuming one) is checked and recorded here on the main thread — preset,
// classes, photos and split, the run's row — so a request that cannot train is refused at once with the reason; the
// training itself runs in a worker thread, whose steps and evaluations this side writes to SQLite (steps in batches:
// one transaction per quarter second, not per step) and sends on as events.
import { randomInt } from 'node:crypto'
import { DEFAULT_EPOCHS, type Run, type RunStep, StudioError, type StudioEvent, TrainSettings } from '../../shared/api.js'
import { ClassifierConfig, classifierPreset, classifierPresetNames, isClassifierConfig } from '../classifier/index.js'
import { type Backbone, DetectorConfig, preset, presetNames, pretrainedSources, scoreSources } from '../detector/index.js'
import type { BackendName } from '../engine/index.js'
import type { JobContext } from '../jobs/index.js'
import type { Store } from '../store/index.js'
import { type Dataset, DatasetError, loadDataset, loadTagDataset } from './dataset.js'
import { readCheckpointInfo, runCheckpoint } from './checkpoint.js'
import { batchesPerEpoch, sessionDeadline, type SessionInit } from './session.js'
import { ALL_PRESETS, defaultInit, presetTask } from './presets.js'
import { startTrainingWorker } from './worker.js'

export interface PreparedRun {
  run: Run
  session: SessionInit
}

const STEP_FLUSH_MS = 250
const STEP_FLUSH_COUNT = 256

/** A pretrained start must fit the preset's backbone: said before the run exists, with the presets it does fit. */
function refuseMisfitInit(init: TrainSettings['init'], presetName: string, config: { backbone: Backbone }): void {
  if (init === undefined || init === 'random') return
  const source = pretrainedSources[init]
  if (source.accepts(config.backbone)) return
  const backboneOf = (name: string) => (presetTask(name) === 'classify' ? classifierPreset(name) : preset(name)).backbone
  const fitting = [...presetNames, ...classifierPresetNames].filter((name) => source.accepts(backboneOf(name)))
  throw new StudioError(
    `${init} fits ${source.fits}; ${presetName}'s backbone is ${config.backbone.name}` +
      `${'alpha' in config.backbone ? ` at width ${config.backbone.alpha}` : ''}` +
      (fitting.length > 0 ? ` (presets it fits: ${fitting.join(', ')})` : ''),
    'invalid',
    'params.init',
  )
}

/** A fine-tune's parent: its checkpoint (the best, or the epoch asked for), classes and preset. */
interface Parent {
  runId: number
  name: string
  preset: string
  epoch: number
  dir: string
  classes: string[]
  config: DetectorConfig
}

function parentOf(store: Store, from: { runId: number; epoch?: number }): Parent {
  let checkpoint
  try {
    checkpoint = runCheckpoint(store, from.runId, from.epoch)
  } catch (error) {
    if (error instanceof StudioError) throw new StudioError(`cannot fine-tune: ${error.message}`, error.code, 'params.from')
    throw error
  }
  const record = store.runs.record(from.runId)!
  const { dir, info } = checkpoint
  if (isClassifierConfig(info.config)) {
    throw new StudioError(
      `cannot fine-tune: run ${record.id} is a classifier (${record.preset}); fine-tuning with new classes starts from a detector run`,
      'invalid',
      'params.from',
    )
  }
  return { runId: record.id, name: record.name, preset: record.preset, epoch: info.epoch, dir, classes: info.classes, config: info.config }
}

/**
 * Does every box a fine-tune learns belong to a class its parent learnt — its new classes all made from the parent's
 * boxes by an attribute? Then the parent's box predictors already place them (SSD's boxes are class-agnostic), and
 * while the feature extractor is frozen they are kept too (cached-head.ts).
 */
const boxesAsParent = (classes: readonly string[], parentClasses: readonly string[], settings: TrainSettings) =>
  classes.every((c) => parentClasses.includes(c) || parentClasses.includes(settings.classMap?.[c]?.from ?? ''))

/** A fine-tune's classes: as asked, else the parent's and the ones its class map makes; they must keep the parent's. */
function fineTuneClasses(parent: Parent, settings: TrainSettings): string[] {
  const classes = settings.classes ?? [...parent.classes, ...Object.keys(settings.classMap ?? {}).filter((c) => !parent.classes.includes(c))]
  try {
    scoreSources(parent.classes, classes)
  } catch (error) {
    throw new StudioError((error as Error).message, 'invalid', 'params.classes')
  }
  return classes
}

/** Check the settings against the project and record a new run (state running); throws StudioError naming the problem. */
export function prepareRun(store: Store, input: TrainSettings): PreparedRun {
  const startedAt = Date.now()
  const asked = TrainSettings.parse(input)
  const parent = asked.from ? parentOf(store, asked.from) : null
  // A fine-tune trains its parent's architecture from its parent's weights: the preset is the parent's, no init.
  const parsed: TrainSettings = parent
    ? {
        ...asked,
        preset: parent.preset,
        init: undefined,
        from: { runId: parent.runId, epoch: parent.epoch },
        classes: fineTuneClasses(parent, asked),
      }
    : asked
  if (parsed.epochs !== undefined && parsed.minutes !== undefined) {
    throw new StudioError('train for a number of epochs or of minutes, not both', 'invalid', 'params.minutes')
  }
  const task = presetTask(parsed.preset)
  if (task === undefined) {
    throw new StudioError(`no preset is called "${parsed.preset}"; the presets are ${ALL_PRESETS.join(', ')}`, 'invalid', 'params.preset')
  }
  if (task === 'classify') return prepareClassifierRun(store, parsed, startedAt)
  if (parsed.tag !== undefined) {
    throw new StudioError(
      `${parsed.preset} is a detector: it learns the project's boxes, not a tag; to learn ${parsed.tag}, train a classifier preset ` +
        `(${ALL_PRESETS.filter((name) => presetTask(name) === 'classify').join(', ')})`,
      'invalid',
      'params.tag',
    )
  }
  // An epoch run stores its epochs filled in; a budget run has none (its steps are planned as it goes). Every new run
  // stores its init filled in.
  const filled = parent ? parsed : { ...parsed, init: parsed.init ?? defaultInit(parsed.preset) }
  const settings = parsed.minutes === undefined ? { ...filled, epochs: parsed.epochs ?? DEFAULT_EPOCHS } : filled
  let dataset
  try {
    dataset = loadDataset(store, settings.labels, settings)
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new StudioError(
        `cannot train: ${error.message}`,
        'invalid',
        settings.classes || settings.classMap ? 'params.classes' : 'params.labels',
      )
    }
    throw error
  }
  // The run's classes are the project's now; the preset's own (['face']) only say how many a preset was shaped for.
  // A fine-tune's config is its parent's (a preset may have changed since), with the new class list.
  const config = DetectorConfig.parse(
    parent
      ? {
          ...parent.config,
          classes: dataset.classes,
          fineClassFeatures: parent.config.fineClassFeatures || dataset.classes.length > parent.classes.length,
        }
      : { ...preset(settings.preset), classes: dataset.classes },
  )
  if (!parent) refuseMisfitInit(settings.init, settings.preset, config)
  return startRun(store, {
    name:
      settings.name ??
      (parent
        ? `${parent.name} + ${dataset.classes.filter((c) => !parent.classes.includes(c)).join(', ') || 'fine-tune'}`.slice(0, 100)
        : `${settings.preset} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`),
    settings,
    config,
    dataset,
    parent,
    startedAt,
  })
}

/** A classifier preset's run: the preset's model with the classes of the tag it learns, on the photos with that tag. */
function prepareClassifierRun(store: Store, parsed: TrainSettings, startedAt: number): PreparedRun {
  const refuse = (message: string, field: string): never => {
    throw new StudioError(message, 'invalid', `params.${field}`)
  }
  const { tag } = parsed
  if (tag === undefined) {
    refuse(`${parsed.preset} classifies whole photos by an image tag: name the tag it learns (e.g. tag smiling)`, 'tag')
  }
  if (parsed.classes || parsed.classMap)
    refuse(`${parsed.preset} learns the tag's two classes (${tag} or not); it takes no class list`, 'classes')
  if (parsed.freezeBackboneEpochs) refuse('freezing the backbone is for a fine-tune (from a run)', 'freezeBackboneEpochs')
  const filled = { ...parsed, init: parsed.init ?? defaultInit(parsed.preset) }
  const settings = parsed.minutes === undefined ? { ...filled, epochs: parsed.epochs ?? DEFAULT_EPOCHS } : filled
  let dataset: Dataset
  try {
    dataset = loadTagDataset(store, tag!, settings.labels)
  } catch (error) {
    if (error instanceof DatasetError) refuse(`cannot train: ${error.message}`, 'tag')
    throw error
  }
  const config = classifierPreset(settings.preset, tag)
  refuseMisfitInit(settings.init, settings.preset, config)
  return startRun(store, {
    name: settings.name ?? `${settings.preset} ${tag} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
    settings,
    config,
    dataset: dataset!,
    parent: null,
    startedAt,
  })
}

/** A new run's record (its seed drawn if not given) and the session that trains it from its first step. */
function startRun(
  store: Store,
  start: {
    name: string
    settings: TrainSettings
    config: PreparedRun['session']['config']
    dataset: Dataset
    parent: Parent | null
    startedAt: number
  },
): PreparedRun {
  const { settings, config, dataset, parent } = start
  const seeded = { ...settings, seed: settings.seed ?? randomInt(0, 2 ** 31 - 1) }
  const run = store.runs.create({
    name: start.name,
    preset: settings.preset,
    settings: seeded,
    config,
    classes: dataset.classes,
    backend: '',
    trainImages: dataset.train.length,
    valImages: dataset.val.length,
    valHeldOut: dataset.heldOut,
    steps: (seeded.epochs ?? 0) * batchesPerEpoch(dataset.train.length, seeded.batchSize),
    parent: parent ? { runId: parent.runId, epoch: parent.epoch } : undefined,
  })
  return {
    run,
    session: {
      runId: run.id,
      projectDir: store.dir,
      settings: seeded,
      config,
      classes: dataset.classes,
      train: dataset.train,
      val: dataset.val,
      startEpoch: 1,
      resumeFrom: null,
      parent: parent ? { dir: parent.dir, classes: parent.classes } : null,
      boxesAsParent: parent !== null && boxesAsParent(dataset.classes, parent.classes, seeded),
      best: { ap50: null, accuracy: null, checkpoint: null },
      clock: { startedAt: start.startedAt, usedMs: 0 },
      schedule: null,
    },
  }
}

/**
 * Pick a cancelled or failed run up from its last checkpoint (or from the start, if it never reached one), with the
 * photos and boxes the project has now under the run's own settings, classes and detector config.
 */
export function prepareResume(store: Store, runId: number): PreparedRun {
  const runs = store.runs
  const record = runs.record(runId)
  if (!record) throw new StudioError(`no run ${runId} in this project`, 'not_found', 'params.runId')
  if (record.state === 'running') throw new StudioError(`run ${runId} is already running`, 'conflict', 'params.runId')
  if (record.state === 'done') {
    const what = record.settings.minutes === undefined ? 'all its epochs' : 'its time'
    throw new StudioError(`run ${runId} has finished ${what}`, 'conflict', 'params.runId')
  }
  const classify = isClassifierConfig(record.config)
  const names = store.classes().map((c) => c.name)
  // A run that names its classes checks them when its photos load (below); one that took the project's needs them
  // unchanged. A classifier's classes are its tag's.
  if (!classify && !record.settings.classes && names.join('\n') !== record.classes.join('\n')) {
    throw new StudioError(
      `cannot resume run ${runId}: the project's classes changed since it started (${record.classes.join(', ')} → ` +
        `${names.join(', ') || 'none'}); start a new run`,
      'conflict',
      'params.runId',
    )
  }
  let dataset
  try {
    dataset = classify
      ? loadTagDataset(store, record.settings.tag!, record.settings.labels)
      : loadDataset(store, record.settings.labels, record.settings)
  } catch (error) {
    if (error instanceof DatasetError) throw new StudioError(`cannot resume run ${runId}: ${error.message}`, 'invalid', 'params.runId')
    throw error
  }
  const settings = record.settings as TrainSettings & { seed: number }
  const config = classify ? ClassifierConfig.parse(record.config) : DetectorConfig.parse(record.config)
  const epoch = record.lastCheckpointEpoch ?? 0
  const step = record.lastCheckpointStep ?? 0
  // A budget run goes on with the time it had left at its checkpoint (the steps after it are trained again) and with
  // the learning-rate plan it had there; without a checkpoint it starts over, with all its time.
  const info = record.lastCheckpoint ? readCheckpointInfo(record.lastCheckpoint) : null
  // A fine-tune that never reached a checkpoint of its own starts from its parent's again.
  let parent: SessionInit['parent'] = null
  let parentClasses: string[] | null = null
  if (!record.lastCheckpoint && record.parent) {
    if (record.parent.runId === null) {
      throw new StudioError(`cannot resume run ${runId}: the run it was fine-tuned from is gone; start a new run`, 'conflict', 'params.runId')
    }
    const from = parentOf(store, { runId: record.parent.runId, epoch: record.parent.epoch })
    parent = { dir: from.dir, classes: from.classes }
    parentClasses = from.classes
  } else if (record.parent?.runId != null) {
    // Resumed from its own checkpoint, a fine-tune only needs its parent's classes; a parent gone since keeps nothing.
    try {
      parentClasses = parentOf(store, { runId: record.parent.runId, epoch: record.parent.epoch }).classes
    } catch {
      parentClasses = null
    }
  }
  runs.restart(runId, { backend: record.backend, step, epoch })
  return {
    run: runs.get(runId)!,
    session: {
      runId,
      projectDir: store.dir,
      settings,
      config,
      classes: record.classes,
      train: dataset.train,
      val: dataset.val,
      startEpoch: epoch + 1,
      resumeFrom: record.lastCheckpoint,
      parent,
      boxesAsParent: parentClasses !== null && boxesAsParent(record.classes, parentClasses, settings),
      best: { ap50: record.bestAp50, accuracy: record.bestAccuracy, checkpoint: record.bestCheckpoint },
      clock: { startedAt: Date.now(), usedMs: info?.elapsedMs ?? 0 },
      schedule: settings.minutes === undefined ? null : (info?.schedule ?? null),
    },
  }
}

/** A budget run's time left as it starts (its deadline is known before any step); an epoch run's is not yet known. */
function etaAtStart(session: SessionInit): number | null {
  const deadline = sessionDeadline(session)
  return deadline === undefined ? null : Math.max(0, deadline - Date.now())
}

/** Train a prepared run to its end in a worker thread; the job's progress counts steps. Returns the run as it ended. */
export async function trainJob(
  store: Store,
  prepared: PreparedRun,
  ctx: JobContext,
  emit: (event: StudioEvent) => void,
  options: { backend?: BackendName } = {},
): Promise<Run> {
  const runs = store.runs
  const runId = prepared.run.id
  const changed = () => emit({ event: 'run.changed', payload: runs.get(runId)! })
  const warnings = runs.record(runId)!.warnings
  let pending: RunStep[] = []
  let epoch = prepared.run.epoch
  const flush = () => {
    runs.addSteps(runId, pending)
    pending = []
  }
  const timer = setInterval(flush, STEP_FLUSH_MS)
  ctx.report({ done: prepared.run.step, total: prepared.run.steps || null, etaMs: etaAtStart(prepared.session) })
  changed()
  const worker = startTrainingWorker({ session: prepared.session, backend: options.backend }, (msg) => {
    switch (msg.type) {
      case 'started':
        runs.setBackend(runId, msg.backend)
        return changed()
      case 'step':
        pending.push(msg.step)
        emit({ event: 'run.step', payload: { runId, ...msg.step } })
        ctx.report({ done: msg.step.step, etaMs: msg.etaMs })
        if (pending.length >= STEP_FLUSH_COUNT) flush()
        if (msg.step.epoch !== epoch) {
          epoch = msg.step.epoch
          flush()
          changed()
        }
        return
      case 'plan':
        runs.setSteps(runId, msg.steps)
        ctx.report({ total: msg.steps })
        return changed()
      case 'eval':
        flush()
        runs.addEval(runId, msg.eval, msg.best)
        emit({ event: 'run.eval', payload: { runId, ...msg.eval } })
        return changed()
      case 'skip':
        warnings.push(msg.skipped)
        runs.setWarnings(runId, warnings)
        return ctx.skip(msg.skipped)
    }
  })
  const onCancel = () => worker.cancel()
  ctx.signal.addEventListener('abort', onCancel)
  try {
    const end = await worker.finished
    flush()
    runs.end(runId, end.state)
    return runs.get(runId)!
  } catch (error) {
    flush()
    runs.end(runId, 'failed', error instanceof Error ? error.message : String(error))
    throw error
  } finally {
    clearInterval(timer)
    ctx.signal.removeEventListener('abort', onCancel)
    changed()
  }
}
