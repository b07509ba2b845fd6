// What a run's score and a project's train photos mean, in the words every page shows.
import { describe, expect, it } from 'vitest'
import { GOOD_AP50, MIN_TRAIN_PHOTOS, runVerdict, SCORE_TERMS, tooFewPhotosWarning, WEAK_AP50 } from '../../../src/shared/run-quality'

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
