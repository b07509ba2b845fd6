// The Devices page's model choice names each trained run by what it is and how good: a detector by AP50, a
// whole-image classifier as a classifier of its tag by accuracy; a weak one of either is flagged.
import { describe, expect, it } from 'vitest'
import { runOption } from '../../../src/renderer/src/pages/Devices/runOption'

const createdAt = Date.UTC(2026, 11, 7, 12)
const date = new Date(createdAt).toLocaleDateString()
const detector = {
  name: 'faces',
  task: 'detect',
  preset: 'mobilenet-ssd-320x240',
  bestAp50: 0.87,
  bestAccuracy: null,
  createdAt,
  settings: { preset: 'mobilenet-ssd-320x240', epochs: 10, batchSize: 16, learningRate: 1e-3, labels: 'all', augment: true, evalEvery: 1 },
} satisfies Parameters<typeof runOption>[0]
const classifier = {
  ...detector,
  name: 'smiles',
  task: 'classify',
  preset: 'mobilenet-classifier-160',
  bestAp50: null,
  bestAccuracy: 0.93,
  settings: { ...detector.settings, preset: 'mobilenet-classifier-160', tag: 'smiling' },
} satisfies Parameters<typeof runOption>[0]

describe('runOption', () => {
  it('names a detector run by its AP50', () => {
    expect(runOption(detector)).toBe(`faces · mobilenet-ssd-320x240 · AP50 87 % · ${date}`)
    expect(runOption({ ...detector, bestAp50: 0.3 })).toBe(`faces · mobilenet-ssd-320x240 · AP50 30 % · ${date} — weak`)
  })

  it('names a classifier run as a classifier of its tag, by its accuracy (its AP50 is none)', () => {
    expect(runOption(classifier)).toBe(`smiles · classifier of smiling · mobilenet-classifier-160 · accuracy 93 % · ${date}`)
    expect(runOption({ ...classifier, bestAccuracy: 0.6 })).toMatch(/accuracy 60 % · .* — weak$/)
    expect(runOption({ ...classifier, bestAccuracy: null })).toMatch(/ · not scored · /)
  })
})
