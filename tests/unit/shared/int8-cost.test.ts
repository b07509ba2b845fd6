// The one line that says what int8 costs, on the Train page's exports, the Devices page and `kindling export-model
// --int8`: a classifier's by accuracy (fp32 → int8), a detector's by AP50, and an unscored report saying so.
import { describe, expect, it } from 'vitest'
import { int8CostText, int8Scores } from '../../../src/shared/int8-cost.js'

describe('int8CostText', () => {
  it("says a classifier's cost as val accuracy fp32 → int8, with the difference signed", () => {
    const report = { calibrationPhotos: 300, valPhotos: 120, metric: 'accuracy' as const, fp32Ap50: null, int8Ap50: null }
    expect(int8CostText({ ...report, fp32Accuracy: 0.912, int8Accuracy: 0.905 })).toBe('int8 on 120 val photos: accuracy 0.912 → 0.905 (-0.007)')
    expect(int8CostText({ ...report, fp32Accuracy: 0.9, int8Accuracy: 0.91 })).toBe('int8 on 120 val photos: accuracy 0.900 → 0.910 (+0.010)')
    expect(int8Scores({ ...report, fp32Accuracy: 0.9, int8Accuracy: 0.91 })).toEqual({ metric: 'accuracy', fp32: 0.9, int8: 0.91 })
  })

  it("keeps a detector's AP50 wording, for reports from before classifiers had int8 (no metric) too", () => {
    const report = { calibrationPhotos: 300, valPhotos: 40, fp32Ap50: 0.8, int8Ap50: 0.79 }
    expect(int8CostText(report)).toBe("int8 on 40 val photos: AP50 0.790 against fp32's 0.800 (-0.010)")
    expect(int8CostText({ ...report, metric: 'ap50' })).toBe(int8CostText(report))
  })

  it('says when int8 was calibrated but not scored (a deployment of a preset or a checkpoint)', () => {
    const unscored = {
      calibrationPhotos: 51,
      valPhotos: 0,
      metric: 'accuracy' as const,
      fp32Ap50: null,
      int8Ap50: null,
      fp32Accuracy: null,
      int8Accuracy: null,
    }
    expect(int8CostText(unscored)).toBe('int8 calibrated on 51 train photos, not scored on val')
  })
})
