// Start a training run: which preset — a detector, or a whole-image classifier with the image tag it learns — and its
// initial weights (random, or a pretrained backbone), how long
// (epochs, or minutes: the run plans the steps that fit), batch size, learning rate, which labels, and augmentation;
// a name and a seed if wanted; under Advanced, how often to evaluate. Checked here first (trainSettings), then sent
// as `train.start`; the studio's own complaints land beside the field they name.
import { type ChangeEvent, type ReactNode, useEffect, useId, useState } from 'react'
import { type Counts, type Run, type SplitCounts, TrainInit, type TrainPreset } from '../../../../shared/api'
import { tooFewPhotosWarning } from '../../../../shared/run-quality'
import { useStudio } from '../../api/context'
import { Icon } from '../../components/Icon'
import { formatCount, plural } from '../../format'
import { errorMessage, messageForField, messageForForm } from '../../state/errors'
import { useSubmit } from '../../state/useSubmit'
import { presetDetails, presetOptionText } from './presetText'
import {
  apiField,
  checkTrainForm,
  DEFAULT_FORM,
  type FineTuneForm,
  fineTuneForm,
  SMILING_ATTRIBUTE,
  TRAIN_FIELDS,
  type TrainField,
  type TrainForm,
  trainingPhotos,
} from './trainSettings'
import { useSplitCounts } from './useSplitCounts'
import { useTagNames } from './useTagNames'

/** The preset list's groups: what each kind of model learns. */
const PRESET_GROUPS = [
  { task: 'detect', label: 'Detectors: find faces (boxes)' },
  { task: 'classify', label: 'Whole-image classifiers: an image tag (e.g. smiling)' },
] as const

/** The initial weights a run can start from (src/main/detector/pretrained.ts says what each fits). */
const INIT_LABELS: Record<TrainInit, string> = {
  random: 'Random (from the seed)',
  'face-api-ssd-mobilenetv1': 'face-api SSD MobileNetV1 (trained on faces)',
}
const INIT_HINTS: Record<TrainInit, string | undefined> = {
  random: undefined,
  'face-api-ssd-mobilenetv1': 'Its backbone learnt faces from WIDER FACE; the head starts random. Far better in a short run',
}

export interface NewRunFormProps {
  /** A job is running (import, kindling or training): one at a time. */
  busy: boolean
  counts: Counts
  onStarted(started: { jobId: string; runId: number }): void
  /** "Fine-tune with new classes…" was chosen on this run: the form starts a fine-tune of it, until cancelled. */
  fineTuneOf?: Run | null
  onCancelFineTune?(): void
}

export function NewRunForm({ busy, counts, onStarted, fineTuneOf = null, onCancelFineTune }: NewRunFormProps) {
  const studio = useStudio()
  const id = useId()
  const [form, setForm] = useState<TrainForm>(DEFAULT_FORM)
  const [presets, setPresets] = useState<TrainPreset[] | null>(null)
  const [presetsError, setPresetsError] = useState<string | null>(null)
  const [showAdvanced, setShowAdvanced] = useState(false)
  // Field messages show once the user has tried to start: a half-typed number is not yet a mistake.
  const [tried, setTried] = useState(false)
  const [tune, setTune] = useState<FineTuneForm | null>(fineTuneOf && fineTuneForm(fineTuneOf))
  // Another run's "Fine-tune…" (or its cancel) starts the fine-tune part afresh.
  const [tuneOf, setTuneOf] = useState(fineTuneOf)
  if (tuneOf !== fineTuneOf) {
    setTuneOf(fineTuneOf)
    setTune(fineTuneOf && fineTuneForm(fineTuneOf))
  }

  useEffect(() => {
    let current = true
    studio.request('train.presets', {}).then(
      (offered) => {
        if (!current) return
        setPresets(offered)
        // The recommended preset, with its default start, unless the user chose already.
        const chosen = offered.find((p) => p.recommended) ?? offered[0]
        setForm((f) =>
          offered.some((p) => p.name === f.preset) || !chosen ? f : { ...f, preset: chosen.name, task: chosen.task, init: chosen.inits[0] },
        )
      },
      (e: unknown) => current && setPresetsError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio])

  const checked = checkTrainForm(form, tune ?? undefined)
  const {
    busy: starting,
    error,
    submit,
    clearError,
  } = useSubmit(
    () => (checked.ok ? studio.request('train.start', checked.params) : Promise.reject(new Error('unreachable'))),
    (started) => {
      setTried(false)
      onStarted(started)
      if (tune) onCancelFineTune?.()
    },
  )
  const set = <K extends keyof TrainForm>(key: K, value: TrainForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }))
    clearError()
  }
  // A preset brings its default start: the pretrained backbone where one fits it.
  const choosePreset = (name: string) => {
    const chosen = presets?.find((p) => p.name === name)
    setForm((f) => ({ ...f, preset: name, task: chosen?.task ?? 'detect', init: chosen?.inits[0] ?? 'random' }))
    clearError()
  }
  const initsOffered = presets?.find((p) => p.name === form.preset)?.inits ?? TrainInit.options
  const messageFor = (field: TrainField): string | null =>
    (tried && !checked.ok ? checked.errors[field] : undefined) ?? messageForField(error, apiField(field))
  const formError = messageForForm(error, TRAIN_FIELDS.map(apiField))
  // A studio error about an Advanced field must not hide behind a closed disclosure.
  const advancedHasError = messageFor('evalEvery') !== null || messageFor('seed') !== null

  const classify = form.task === 'classify' && !tune
  const tagNames = useTagNames(counts, classify)
  // A classifier's tag: the one chosen, else smiling (the seed's), else the project's first.
  useEffect(() => {
    if (!classify || !tagNames || tagNames.includes(form.tag)) return
    setForm((f) => ({ ...f, tag: tagNames.includes('smiling') ? 'smiling' : (tagNames[0] ?? '') }))
  }, [classify, tagNames, form.tag])
  const photos = trainingPhotos(counts, form.labels)
  const { split, error: splitError } = useSplitCounts(form.labels, counts, classify && form.tag ? form.tag : undefined)
  const chosenPreset = presets?.find((p) => p.name === form.preset)
  const disabledWhy = busy
    ? 'A job is running'
    : classify
      ? tagNames !== null && tagNames.length === 0
        ? 'No photo has an image tag yet: tag photos in Review, import a CSV of tags, or kindle with smiles'
        : undefined
      : photos === 0
        ? form.labels === 'reviewed'
          ? 'No photo is reviewed yet: review photos, or train on all labels'
          : 'No photo has labels yet: kindle, import labels or review photos first'
        : presets === null
          ? 'Loading the presets…'
          : undefined

  const field = (name: TrainField, label: string, input: ReactNode, hint?: string) => {
    const message = messageFor(name)
    return (
      <div className="train-field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        {input}
        {message ? (
          <span className="field-error" id={`${id}-${name}-error`} role="alert" data-testid={`train-${name}-error`}>
            {message}
          </span>
        ) : (
          hint && (
            <span className="muted" data-testid={`train-${name}-hint`}>
              {hint}
            </span>
          )
        )}
      </div>
    )
  }
  const setTuneField = <K extends keyof FineTuneForm>(key: K, value: FineTuneForm[K]) => {
    setTune((t) => t && { ...t, [key]: value })
    clearError()
  }
  const inputProps = (name: Exclude<TrainField, 'preset' | 'init' | 'from' | 'classes' | 'freezeBackboneEpochs'>) => ({
    id: `${id}-${name}`,
    value: form[name],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(name, e.target.value),
    'aria-invalid': messageFor(name) !== null,
    'aria-describedby': messageFor(name) ? `${id}-${name}-error` : undefined,
    'data-testid': `train-${name}`,
    spellCheck: false,
    autoComplete: 'off',
  })

  return (
    <form
      className="train-form"
      aria-label="New training run"
      data-testid="train-form"
      onSubmit={(e) => {
        e.preventDefault()
        setTried(true)
        if (checked.ok) void submit()
        else if (checked.errors.evalEvery || checked.errors.seed) setShowAdvanced(true)
      }}
    >
      <h2>{tune ? 'Fine-tune with new classes' : 'New run'}</h2>
      <SplitLine split={split} labels={form.labels} counts={counts} error={splitError} tag={classify ? form.tag : undefined} />
      {tune && (
        <FineTuneFields
          tune={tune}
          set={setTuneField}
          field={field}
          id={id}
          messageFor={messageFor}
          onCancel={() => {
            onCancelFineTune?.()
            clearError()
          }}
        />
      )}
      {!tune &&
        field(
          'preset',
          'Model',
          <select
            id={`${id}-preset`}
            className="select"
            value={form.preset}
            onChange={(e) => choosePreset(e.target.value)}
            aria-invalid={messageFor('preset') !== null}
            data-testid="train-preset"
          >
            {PRESET_GROUPS.map(({ task, label }) => (
              <optgroup key={task} label={label}>
                {(presets ?? [])
                  .filter((p) => p.task === task)
                  .map((p) => (
                    <option key={p.name} value={p.name}>
                      {presetOptionText(p)}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>,
          chosenPreset ? presetDetails(chosenPreset) : undefined,
        )}
      {classify &&
        field(
          'tag',
          'Tag to learn',
          <select
            id={`${id}-tag`}
            className="select"
            value={form.tag}
            onChange={(e) => set('tag', e.target.value)}
            aria-invalid={messageFor('tag') !== null}
            disabled={!tagNames || tagNames.length === 0}
            data-testid="train-tag"
          >
            {(tagNames ?? []).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>,
          tagNames === null
            ? 'loading the tags…'
            : tagNames.length === 0
              ? 'no photo has an image tag yet'
              : form.tag
                ? `two classes: ${form.tag} and not ${form.tag}; photos without the tag are left out`
                : undefined,
        )}
      {presetsError && <p className="field-error">Could not load the presets: {presetsError}</p>}
      {!tune &&
        field(
          'init',
          'Initial weights',
          <select
            id={`${id}-init`}
            className="select"
            value={form.init}
            onChange={(e) => set('init', TrainInit.parse(e.target.value))}
            aria-invalid={messageFor('init') !== null}
            data-testid="train-init"
          >
            {initsOffered.map((name) => (
              <option key={name} value={name}>
                {INIT_LABELS[name]}
              </option>
            ))}
          </select>,
          INIT_HINTS[form.init],
        )}
      {field(
        form.length,
        'Train for',
        <span className="train-length">
          <input {...inputProps(form.length)} inputMode={form.length === 'epochs' ? 'numeric' : 'decimal'} />
          <select
            className="select"
            value={form.length}
            onChange={(e) => set('length', e.target.value as TrainForm['length'])}
            aria-label="Train for: epochs or minutes"
            data-testid="train-length"
          >
            <option value="epochs">epochs</option>
            <option value="minutes">minutes</option>
          </select>
        </span>,
        form.length === 'minutes' ? 'steps planned to fit, evaluations included' : undefined,
      )}
      <div className="train-grid">
        {field('batchSize', 'Batch size', <input {...inputProps('batchSize')} inputMode="numeric" />)}
        {field('learningRate', 'Learning rate', <input {...inputProps('learningRate')} inputMode="decimal" />)}
      </div>
      <fieldset className="train-labels">
        <legend>Labels</legend>
        <label className="radio">
          <input
            type="radio"
            name={`${id}-labels`}
            checked={form.labels === 'all'}
            onChange={() => set('labels', 'all')}
            data-testid="train-labels-all"
          />
          {classify ? 'All tags (a person’s, imported, kindled)' : 'All labels (kindled, imported, reviewed)'}
        </label>
        <label className="radio">
          <input
            type="radio"
            name={`${id}-labels`}
            checked={form.labels === 'reviewed'}
            onChange={() => set('labels', 'reviewed')}
            data-testid="train-labels-reviewed"
          />
          {classify ? 'Tags a person set only' : 'Reviewed photos only'}
        </label>
      </fieldset>
      <label
        className="radio"
        title={
          classify
            ? 'Random horizontal flips, a mild zoom (±10 %) and colour jitter on training photos (never on val); no crop cuts the subject away'
            : 'Random horizontal flips, crops and colour jitter on training photos (never on val)'
        }
      >
        <input type="checkbox" checked={form.augment} onChange={(e) => set('augment', e.target.checked)} data-testid="train-augment" />
        {classify ? 'Augment (flips, mild zoom, colour jitter)' : 'Augment (flips, crops, colour jitter)'}
      </label>
      {field('name', 'Name (optional)', <input {...inputProps('name')} placeholder="e.g. faces v1" />)}
      <button
        type="button"
        className="link-button train-advanced-toggle"
        aria-expanded={showAdvanced || advancedHasError}
        aria-controls={`${id}-advanced`}
        onClick={() => setShowAdvanced((shown) => !shown)}
        data-testid="train-advanced-toggle"
      >
        Advanced
        <span className="disclosure" aria-hidden="true">
          <Icon name="chevron" size={12} />
        </span>
      </button>
      {(showAdvanced || advancedHasError) && (
        <div id={`${id}-advanced`} className="train-grid" role="group" aria-label="Advanced settings">
          {field('evalEvery', 'Evaluate every N epochs', <input {...inputProps('evalEvery')} inputMode="numeric" />, 'and after the last')}
          {field(
            'seed',
            'Seed (optional)',
            <input {...inputProps('seed')} inputMode="numeric" placeholder="random" />,
            'same seed and data, same run',
          )}
        </div>
      )}
      {formError && (
        <p className="field-error" role="alert" data-testid="train-form-error">
          {formError}
        </p>
      )}
      <button
        type="submit"
        className="button is-primary"
        disabled={disabledWhy !== undefined || starting}
        title={disabledWhy}
        data-testid="train-start"
      >
        {starting ? 'Starting…' : tune ? 'Start fine-tuning' : 'Start training'}
      </button>
    </form>
  )
}

/**
 * The fine-tune's own fields: the parent and the classes it keeps, the new classes (the first one made from smiling
 * faces, if wanted: nothing in the project is relabelled) and how long the backbone stays the parent's.
 */
function FineTuneFields({
  tune,
  set,
  field,
  id,
  messageFor,
  onCancel,
}: {
  tune: FineTuneForm
  set<K extends keyof FineTuneForm>(key: K, value: FineTuneForm[K]): void
  field(name: TrainField, label: string, input: ReactNode, hint?: string): ReactNode
  id: string
  messageFor(field: TrainField): string | null
  onCancel(): void
}) {
  const { parent } = tune
  const first = tune.newClasses.split(',')[0]?.trim() || 'the new class'
  const props = (name: 'classes' | 'freezeBackboneEpochs') => ({
    id: `${id}-${name}`,
    'aria-invalid': messageFor(name) !== null,
    'aria-describedby': messageFor(name) ? `${id}-${name}-error` : undefined,
    spellCheck: false,
    autoComplete: 'off',
  })
  return (
    <div className="train-finetune" data-testid="train-finetune">
      <p data-testid="train-finetune-parent">
        From <strong>{parent.name}</strong> ({parent.preset}, best checkpoint
        {parent.bestAp50 === null ? '' : `, AP50 ${parent.bestAp50.toFixed(3)}`}): its backbone, box head and classes{' '}
        <span className="mono">{parent.classes.join(', ')}</span> start from its weights.{' '}
        <button type="button" className="link-button" onClick={onCancel} data-testid="train-finetune-cancel">
          Cancel fine-tune
        </button>
      </p>
      {messageFor('from') && (
        <p className="field-error" role="alert" data-testid="train-from-error">
          {messageFor('from')}
        </p>
      )}
      {field(
        'classes',
        'New classes',
        <input
          {...props('classes')}
          value={tune.newClasses}
          onChange={(e) => set('newClasses', e.target.value)}
          placeholder="e.g. smiling-face"
          // Chosen from a run's detail, the form's new part is where the user goes next.
          autoFocus
          data-testid="train-classes"
        />,
        'comma-separated; their scores start fresh',
      )}
      <label className="radio">
        <input
          type="checkbox"
          checked={tune.fromSmiling}
          onChange={(e) => set('fromSmiling', e.target.checked)}
          data-testid="train-from-smiling"
        />
        Make {first} from {parent.classes[0]} boxes whose {SMILING_ATTRIBUTE} is true (kindled with smiles; nothing is relabelled)
      </label>
      {field(
        'freezeBackboneEpochs',
        'Freeze the backbone for N epochs (or all)',
        <input
          {...props('freezeBackboneEpochs')}
          value={tune.freezeEpochs}
          onChange={(e) => set('freezeEpochs', e.target.value)}
          data-testid="train-freeze"
        />,
        'all: the whole run, the head training on kept maps (an attribute learns best); N: the head settles first; 0: never',
      )}
    </div>
  )
}

/**
 * The labelled photos a run would use, by split — train learns, val evaluates, test is never touched — and a warning
 * when train holds fewer than a usable detector needs.
 */
function SplitLine({
  split,
  labels,
  counts,
  error,
  tag,
}: {
  split: SplitCounts | null
  labels: TrainForm['labels']
  counts: Counts
  error: string | null
  /** A classifier's tag: the photos that have it, set or not. */
  tag?: string
}) {
  const what = tag
    ? labels === 'reviewed'
      ? `Photos a person tagged ${tag}`
      : `Photos with a ${tag} tag`
    : labels === 'reviewed'
      ? 'Reviewed photos'
      : 'Labelled photos'
  const learning = split ? split.train - split.heldOut : 0
  // The photo count a usable detector needs was measured for detectors; for a classifier there is no figure (no guess).
  const warning = split && split.train > 0 && !tag ? tooFewPhotosWarning(learning) : null
  return (
    <div className="train-scope">
      <p className="train-scope-line" data-testid="train-scope">
        {what}:{' '}
        {split ? (
          <>
            <strong data-testid="train-split-train">{formatCount(split.train)} train</strong> · {formatCount(split.val)} val ·{' '}
            {formatCount(split.test)} test <span className="muted">(test is never trained on)</span>
          </>
        ) : (
          <span className="muted">{error ? `could not count them: ${error}` : 'counting…'}</span>
        )}
      </p>
      <p className="muted train-scope-note" data-testid="train-scope-note">
        {split && split.train === 0
          ? `Nothing to train on: no ${tag ? what.replace(/^Photos/, 'photos') : what.toLowerCase()} in the train split.`
          : split && split.heldOut > 0
            ? `No val photo is labelled: the run holds out ${plural(split.heldOut, 'train photo')} to evaluate and learns from ${formatCount(learning)}.`
            : `Train photos teach the ${tag ? 'classifier' : 'detector'}; val photos score it after each evaluation.`}{' '}
        {formatCount(counts.images)} photos in the project · {formatCount(counts.byState.reviewed)} reviewed.
      </p>
      {warning && (
        <p className="train-warning" role="note" data-testid="train-few-photos">
          {warning}
        </p>
      )}
    </div>
  )
}
