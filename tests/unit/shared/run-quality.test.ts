// What a run's score and a project's train photos mean, in the words every page shows.
import { describe, expect, it } from 'vitest'
import {
  bestScore,
  CLASSIFIER_TERMS,
  GOOD_ACCURACY,
  GOOD_AP50,
  MIN_TRAIN_PHOTOS,
  runVerdict,
  SCORE_TERMS,
  tooFewPhotosWarning,
  WEAK_ACCURACY,
  WEAK_AP50,
} from '../../../src/shared/run-quality'

describe('runVerdict', () => {
  it('calls a run weak below WEAK_AP50, usable below GOOD_AP50, good from it, unscored before its first evaluation', () => {
    expect(runVerdict(null)).toMatchObject({ quality: 'unscored', label: 'Not scored' })
    expect(runVerdict(0.02)).toMatchObject({ quality: 'weak', label: 'Weak' })
    expect(runVerdict(0.02).explanation).toBe(
      'AP50 2%: it misses many faces or finds faces that are not there. Train longer or on more labelled photos before relying on it.',
    )
    expect(runVerdict(WEAK_AP50 - 0.001).quality).toBe('weak')
    expect(runVerdict(WEAK_AP50)).toMatchObject({ quality: 'fair', label: 'Usable' })
    expect(runVerdict(GOOD_AP50 - 0.001).quality).toBe('fair')
    expect(runVerdict(GOOD_AP50)).toMatchObject({ quality: 'good', label: 'Good' })
    expect(runVerdict(0.965).explanation).toMatch(/^AP50 97%: /)
  })

  it('judges a classifier by its accuracy, in its own words (a coin toss is weak, not "usable")', () => {
    expect(runVerdict(null, 'classify')).toMatchObject({ quality: 'unscored' })
    expect(runVerdict(0.55, 'classify')).toMatchObject({ quality: 'weak', label: 'Weak' })
    expect(runVerdict(0.55, 'classify').explanation).toMatch(
      /^Accuracy 55%: it gets the tag wrong on many val photos \(guessing gets about 50%\)/,
    )
    expect(runVerdict(WEAK_ACCURACY - 0.001, 'classify').quality).toBe('weak')
    expect(runVerdict(WEAK_ACCURACY, 'classify')).toMatchObject({ quality: 'fair', label: 'Usable' })
    expect(runVerdict(GOOD_ACCURACY - 0.001, 'classify').quality).toBe('fair')
    expect(runVerdict(GOOD_ACCURACY, 'classify')).toMatchObject({ quality: 'good', label: 'Good' })
    expect(runVerdict(0.93, 'classify').explanation).toBe('Accuracy 93%: it tags nearly every val photo as its labels say.')
    // The same 0.6 is a usable detector but a weak classifier.
    expect(runVerdict(0.6).quality).toBe('fair')
    expect(runVerdict(0.6, 'classify').quality).toBe('weak')
  })

  it("takes a run's best score by its task", () => {
    expect(bestScore({ task: 'detect', bestAp50: 0.7, bestAccuracy: null })).toBe(0.7)
    expect(bestScore({ task: 'classify', bestAp50: null, bestAccuracy: 0.92 })).toBe(0.92)
    expect(Object.keys(CLASSIFIER_TERMS)).toEqual(['accuracy', 'precision', 'recall', 'confusion'])
  })
})

describe('tooFewPhotosWarning', () => {
  it('warns below MIN_TRAIN_PHOTOS, naming the count and the number needed, and is quiet from it', () => {
    expect(tooFewPhotosWarning(4)).toMatch(
      new RegExp(
        `^Only 4 labelled photos to train on: a detector that finds nearly every face needs about ${MIN_TRAIN_PHOTOS} \\(measured on GENKI faces\\)`,
      ),
    )
    expect(tooFewPhotosWarning(1)).toMatch(/^Only 1 labelled photo to train on:/)
    expect(tooFewPhotosWarning(MIN_TRAIN_PHOTOS - 1)).not.toBeNull()
    expect(tooFewPhotosWarning(MIN_TRAIN_PHOTOS)).toBeNull()
  })

  it('explains the three scores in plain words', () => {
    expect(Object.keys(SCORE_TERMS)).toEqual(['ap50', 'ap', 'recall'])
    for (const words of Object.values(SCORE_TERMS)) expect(words.length).toBeGreaterThan(40)
  })
})
