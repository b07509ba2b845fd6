import { describe, expect, it } from 'vitest'
import { FROZEN_THROUGHOUT, TrainSettings } from '../../../src/shared/api'
import type { Run } from '../../../src/shared/api'
import { checkTrainForm, DEFAULT_FORM, fineTuneForm, trainingPhotos } from '../../../src/renderer/src/pages/Train/trainSettings'

const form = { ...DEFAULT_FORM, preset: 'mobilenet-ssd-320x240' }

describe('the new-run form, checked before it is sent', () => {
  it('sends the API defaults as numbers, and the studio accepts them', () => {
    const checked = checkTrainForm(form)
    expect(checked).toEqual({
      ok: true,
      params: {
        preset: 'mobilenet-ssd-320x240',
        epochs: 10,
        batchSize: 16,
        learningRate: 0.001,
        labels: 'all',
        augment: true,
        evalEvery: 1,
      },
    })
    if (checked.ok) expect(TrainSettings.safeParse(checked.params).success).toBe(true)
  })

  it('takes a name (trimmed), a seed and a learning rate written 1e-4', () => {
    const checked = checkTrainForm({ ...form, name: '  smiles v2 ', seed: '42', learningRate: '1e-4', labels: 'reviewed' })
    expect(checked.ok && checked.params).toMatchObject({ name: 'smiles v2', seed: 42, learningRate: 1e-4, labels: 'reviewed' })
  })

  it('sends a pretrained start only when one is chosen, and the studio accepts it', () => {
    const checked = checkTrainForm({ ...form, preset: 'mobilenet-v1-ssd-300', init: 'face-api-ssd-mobilenetv1' })
    expect(checked.ok && checked.params.init).toBe('face-api-ssd-mobilenetv1')
    if (checked.ok) expect(TrainSettings.parse(checked.params).init).toBe('face-api-ssd-mobilenetv1')
    expect(checkTrainForm(form)).not.toHaveProperty('params.init')
  })

  it('sends a classifier preset with the tag it learns, and asks for the tag when none is chosen', () => {
    const classifier = { ...form, preset: 'alexnet-classifier', task: 'classify' as const }
    expect(checkTrainForm(classifier)).toEqual({ ok: false, errors: { tag: 'Choose the image tag the classifier learns' } })
    const checked = checkTrainForm({ ...classifier, tag: 'smiling' })
    expect(checked.ok && checked.params).toMatchObject({ preset: 'alexnet-classifier', tag: 'smiling' })
    if (checked.ok) expect(TrainSettings.parse(checked.params).tag).toBe('smiling')
    // A detector never sends a tag, even one left from an earlier choice.
    expect(checkTrainForm({ ...form, tag: 'smiling' })).not.toHaveProperty('params.tag')
  })

  it('names each field that is wrong, in words', () => {
    const checked = checkTrainForm({
      ...form,
      preset: '',
      epochs: '0',
      batchSize: '8.5',
      learningRate: 'fast',
      evalEvery: '',
      seed: '-1',
    })
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    expect(checked.errors).toEqual({
      preset: 'Choose a preset',
      epochs: 'The number of epochs is from 1 to 10,000',
      batchSize: 'The batch size is a whole number',
      learningRate: 'The learning rate is a number, e.g. 0.001 or 1e-3',
      evalEvery: 'Enter the evaluation interval',
      seed: 'The seed is from 0 to 2,147,483,647',
    })
  })

  it('refuses the limits the API refuses', () => {
    const errors = (patch: Partial<typeof form>) => {
      const checked = checkTrainForm({ ...form, ...patch })
      return checked.ok ? {} : checked.errors
    }
    expect(errors({ batchSize: '257' }).batchSize).toBeDefined()
    expect(errors({ batchSize: '256' }).batchSize).toBeUndefined()
    expect(errors({ learningRate: '0' }).learningRate).toBe('The learning rate is above 0 and at most 1')
    expect(errors({ learningRate: '1' }).learningRate).toBeUndefined()
    expect(errors({ evalEvery: '1001' }).evalEvery).toBeDefined()
    expect(errors({ name: 'x'.repeat(101) }).name).toBeDefined()
  })
})

describe('train for epochs or minutes', () => {
  it('sends the minutes instead of the epochs when the run is to train for a time, and the studio accepts them', () => {
    const checked = checkTrainForm({ ...form, length: 'minutes', minutes: ' 2.5 ', epochs: 'ignored' })
    expect(checked.ok).toBe(true)
    if (!checked.ok) return
    expect(checked.params).toMatchObject({ minutes: 2.5 })
    expect(checked.params).not.toHaveProperty('epochs')
    expect(TrainSettings.safeParse(checked.params).success).toBe(true)
  })

  it('names what is wrong with the minutes, and does not check the epochs it will not send', () => {
    const errors = (minutes: string) => {
      const checked = checkTrainForm({ ...form, length: 'minutes', minutes, epochs: '0' })
      return checked.ok ? {} : checked.errors
    }
    expect(errors('')).toEqual({ minutes: 'Enter the number of minutes' })
    expect(errors('half an hour')).toEqual({ minutes: 'The number of minutes is a number, e.g. 30 or 2.5' })
    expect(errors('0.05')).toEqual({ minutes: 'The number of minutes is from 0.1 to 10,000' })
    expect(errors('0.1')).toEqual({})
  })
})

describe('what a run will train on', () => {
  it('counts photos with labels or reviewed, or reviewed ones only', () => {
    // Imported labels leave photos "new" (neither kindled nor reviewed): they count by their boxes, not their state.
    expect(trainingPhotos({ labelled: 1300, reviewed: 34 }, 'all')).toBe(1300)
    expect(trainingPhotos({ labelled: 1300, reviewed: 34 }, 'reviewed')).toBe(34)
  })
})

describe('the form set to fine-tune a run', () => {
  const parent = { id: 3, name: 'faces', preset: 'alexnet-ssd-320x240', classes: ['face'] } as Run
  const tune = fineTuneForm(parent)

  it("sends the parent, its classes and the new one made from smiling faces, frozen throughout, and the parent's preset", () => {
    const checked = checkTrainForm({ ...form, init: 'face-api-ssd-mobilenetv1' }, tune)
    expect(checked.ok && checked.params).toMatchObject({
      preset: 'alexnet-ssd-320x240',
      from: { runId: 3 },
      classes: ['face', 'smiling-face'],
      classMap: { 'smiling-face': { from: 'face', attribute: 'smiling' } },
      freezeBackboneEpochs: FROZEN_THROUGHOUT,
    })
    expect(checked.ok && 'init' in checked.params).toBe(false)
    if (checked.ok) expect(TrainSettings.safeParse(checked.params).success).toBe(true)
    const plain = checkTrainForm(form, { ...tune, newClasses: 'hand, wave', fromSmiling: false, freezeEpochs: '0' })
    expect(plain.ok && plain.params).toMatchObject({ classes: ['face', 'hand', 'wave'] })
    expect(plain.ok && ('classMap' in plain.params || 'freezeBackboneEpochs' in plain.params)).toBe(false)
    const first = checkTrainForm(form, { ...tune, freezeEpochs: '3' })
    expect(first.ok && first.params.freezeBackboneEpochs).toBe(3)
  })

  it('says what is wrong with the new classes and the frozen epochs', () => {
    expect(checkTrainForm(form, { ...tune, newClasses: ' , ' })).toEqual({
      ok: false,
      errors: { classes: 'Name at least one new class, e.g. smiling-face' },
    })
    expect(checkTrainForm(form, { ...tune, newClasses: 'face' })).toEqual({
      ok: false,
      errors: { classes: "face is already one of the run's classes" },
    })
    expect(checkTrainForm(form, { ...tune, freezeEpochs: '1.5' })).toEqual({
      ok: false,
      errors: { freezeBackboneEpochs: 'The number of frozen epochs is a whole number' },
    })
  })
})
