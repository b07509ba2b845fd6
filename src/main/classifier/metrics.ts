// A classifier's evaluation: accuracy, per-class precision and recall, and the confusion matrix, from each val photo's
// true and predicted class. Pure numbers, pinned by hand-computed cases (tests/unit/classifier/metrics.test.ts).
import type { ClassifierScore } from '../../shared/api.js'

/**
 * Score predictions: `truth[i]` and `predicted[i]` are photo i's class indices into `classes`. Precision of a class is
 * null when nothing was predicted as it, recall null when no val photo is of it; accuracy of no photos is 0.
 */
export function scoreClassifications(classes: readonly string[], truth: readonly number[], predicted: readonly number[]): ClassifierScore {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} true classes but ${predicted.length} predictions`)
  const n = classes.length
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  truth.forEach((t, i) => {
    const p = predicted[i]
    if (!(t >= 0 && t < n && p >= 0 && p < n)) throw new Error(`class index out of range at photo ${i}: ${t} → ${p}`)
    confusion[t][p]++
  })
  const correct = confusion.reduce((s, row, i) => s + row[i], 0)
  return {
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    photos: truth.length,
    classes: classes.map((name, c) => {
      const actual = confusion[c].reduce((s, v) => s + v, 0)
      const called = confusion.reduce((s, row) => s + row[c], 0)
      return {
        name,
        photos: actual,
        precision: called === 0 ? null : confusion[c][c] / called,
        recall: actual === 0 ? null : confusion[c][c] / actual,
      }
    }),
    confusion,
  }
}
