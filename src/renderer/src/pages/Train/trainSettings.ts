// The new-run form's fields as typed (strings), checked the way `TrainSettings` in the API checks them, so a user
// hears about "0 epochs" beside the field before anything is sent. The studio checks again: its errors name the same
// fields (`params.epochs`), and the form shows them in the same place.
import { FROZEN_THROUGHOUT, type Params, type Run, type RunTask, type TrainInit } from '../../../../shared/api'

export type TrainStartParams = Params<'train.start'>

export interface TrainForm {
  preset: string
  /** What the chosen preset trains: a classifier learns `tag`. */
  task: RunTask
  /** The image tag a classifier learns (one of the project's tag names). */
  tag: string
  name: string
  /** "Train for": a number of epochs, or of minutes (the run plans the steps that fit). */
  length: 'epochs' | 'minutes'
  epochs: string
  minutes: string
  batchSize: string
  learningRate: string
  labels: 'all' | 'reviewed'
  augment: boolean
  evalEvery: string
  seed: string
  init: TrainInit
}

export type TrainField =
  | 'preset'
  | 'init'
  | 'name'
  | 'epochs'
  | 'minutes'
  | 'batchSize'
  | 'learningRate'
  | 'evalEvery'
  | 'seed'
  | 'from'
  | 'classes'
  | 'freezeBackboneEpochs'
  | 'tag'

/**
 * "Fine-tune with new classes…": the parent run (its preset and best checkpoint), the classes to add, whether the first
 * of them is made from the parent's first class's boxes whose `smiling` attribute is true, and the epochs the backbone
 * stays frozen.
 */
export interface FineTuneForm {
  parent: Run
  newClasses: string
  fromSmiling: boolean
  freezeEpochs: string
}

/** The attribute kindling gives faces (`kindling kindle --smile`), which the form offers to make a class from. */
export const SMILING_ATTRIBUTE = 'smiling'

// Frozen throughout by default: for a class made from an attribute, what learnt best in the same minutes (README).
export const fineTuneForm = (parent: Run): FineTuneForm => ({ parent, newClasses: 'smiling-face', fromSmiling: true, freezeEpochs: 'all' })

/** The API's field names, as a studio error names them: `params.epochs`. */
export const TRAIN_FIELDS: readonly TrainField[] = [
  'preset',
  'init',
  'name',
  'epochs',
  'minutes',
  'batchSize',
  'learningRate',
  'evalEvery',
  'seed',
  'from',
  'classes',
  'freezeBackboneEpochs',
  'tag',
]
export const apiField = (field: TrainField) => `params.${field}`

/** The API's defaults (TrainSettings), as the form starts. */
export const DEFAULT_FORM: TrainForm = {
  preset: '',
  task: 'detect',
  tag: '',
  name: '',
  length: 'epochs',
  epochs: '10',
  minutes: '30',
  batchSize: '16',
  learningRate: '0.001',
  labels: 'all',
  augment: true,
  evalEvery: '1',
  seed: '',
  init: 'random',
}

export const MAX_SEED = 2 ** 31 - 1

export type Checked = { ok: true; params: TrainStartParams } | { ok: false; errors: Partial<Record<TrainField, string>> }

/** A whole number in [min, max] typed in a field, or the message to show beside it. */
function integerIn(text: string, min: number, max: number, what: string): number | string {
  const trimmed = text.trim()
  if (trimmed === '') return `Enter the ${what}`
  const n = Number(trimmed)
  if (!Number.isFinite(n) || !Number.isInteger(n)) return `The ${what} is a whole number`
  if (n < min || n > max) return `The ${what} is from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`
  return n
}

export function checkTrainForm(form: TrainForm, fineTune?: FineTuneForm): Checked {
  const errors: Partial<Record<TrainField, string>> = {}
  if (!form.preset && !fineTune) errors.preset = 'Choose a preset'
  const classify = form.task === 'classify' && !fineTune
  if (classify && !form.tag) errors.tag = 'Choose the image tag the classifier learns'
  const tuning = fineTune ? checkFineTune(fineTune, errors) : {}

  const name = form.name.trim()
  if (name.length > 100) errors.name = 'The name is at most 100 characters'

  // Only the chosen length is checked and sent: the API takes epochs or minutes, not both.
  let length: { epochs: number } | { minutes: number } | undefined
  if (form.length === 'epochs') {
    const epochs = integerIn(form.epochs, 1, 10_000, 'number of epochs')
    if (typeof epochs === 'string') errors.epochs = epochs
    else length = { epochs }
  } else {
    const text = form.minutes.trim()
    const minutes = Number(text)
    if (text === '') errors.minutes = 'Enter the number of minutes'
    else if (!Number.isFinite(minutes)) errors.minutes = 'The number of minutes is a number, e.g. 30 or 2.5'
    else if (minutes < 0.1 || minutes > 10_000) errors.minutes = 'The number of minutes is from 0.1 to 10,000'
    else length = { minutes }
  }
  const batchSize = integerIn(form.batchSize, 1, 256, 'batch size')
  if (typeof batchSize === 'string') errors.batchSize = batchSize
  const evalEvery = integerIn(form.evalEvery, 1, 1000, 'evaluation interval')
  if (typeof evalEvery === 'string') errors.evalEvery = evalEvery

  // Number() takes "1e-3" as well as "0.001": learning rates are usually written the first way.
  const rateText = form.learningRate.trim()
  const learningRate = Number(rateText)
  if (rateText === '') errors.learningRate = 'Enter the learning rate'
  else if (!Number.isFinite(learningRate)) errors.learningRate = 'The learning rate is a number, e.g. 0.001 or 1e-3'
  else if (learningRate <= 0 || learningRate > 1) errors.learningRate = 'The learning rate is above 0 and at most 1'

  let seed: number | undefined
  if (form.seed.trim() !== '') {
    const checked = integerIn(form.seed, 0, MAX_SEED, 'seed')
    if (typeof checked === 'string') errors.seed = checked
    else seed = checked
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    params: {
      preset: fineTune ? fineTune.parent.preset : form.preset,
      ...(name ? { name } : {}),
      ...length!,
      batchSize: batchSize as number,
      learningRate,
      labels: form.labels,
      augment: form.augment,
      evalEvery: evalEvery as number,
      ...(seed === undefined ? {} : { seed }),
      ...(form.init === 'random' || fineTune ? {} : { init: form.init }),
      ...(classify ? { tag: form.tag } : {}),
      ...tuning,
    },
  }
}

/** A fine-tune's part of the request (from, classes, classMap, freezeBackboneEpochs), its mistakes into `errors`. */
function checkFineTune(f: FineTuneForm, errors: Partial<Record<TrainField, string>>): Partial<TrainStartParams> {
  const kept = f.parent.classes
  const added = f.newClasses
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
  if (added.length === 0) errors.classes = 'Name at least one new class, e.g. smiling-face'
  else if (added.some((c) => kept.includes(c))) errors.classes = `${added.find((c) => kept.includes(c))} is already one of the run's classes`
  else if (new Set(added).size !== added.length) errors.classes = 'A new class is named twice'
  else if (added.some((c) => c.length > 100)) errors.classes = 'A class name is at most 100 characters'
  const freezeText = f.freezeEpochs.trim().toLowerCase()
  const freeze =
    freezeText === '' ? 0 : freezeText === 'all' ? FROZEN_THROUGHOUT : integerIn(f.freezeEpochs, 0, FROZEN_THROUGHOUT, 'number of frozen epochs')
  if (typeof freeze === 'string') errors.freezeBackboneEpochs = freeze
  return {
    from: { runId: f.parent.id },
    classes: [...kept, ...added],
    ...(f.fromSmiling && added.length > 0 ? { classMap: { [added[0]]: { from: kept[0], attribute: SMILING_ATTRIBUTE } } } : {}),
    ...(typeof freeze === 'number' && freeze > 0 ? { freezeBackboneEpochs: freeze } : {}),
  }
}

/**
 * How many photos a run would learn from (the studio's rule, train/dataset.ts): with `all`, every photo with a label box
 * (kindled, human or imported) or reviewed; with `reviewed`, reviewed photos only.
 */
export function trainingPhotos(counts: { labelled: number; reviewed: number }, labels: TrainForm['labels']): number {
  return labels === 'reviewed' ? counts.reviewed : counts.labelled
}
