// A classifier's scores against cases worked out by hand.
import { describe, expect, it } from 'vitest'
import { scoreClassifications } from '../../../src/main/classifier/index.js'

const classes = ['not smiling', 'smiling']

describe('scoreClassifications', () => {
  it('counts the confusion matrix, accuracy and each class’s precision and recall', () => {
    // 10 photos: 6 smiling (5 called smiling, 1 not), 4 not smiling (3 called not, 1 smiling).
    const truth = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    const predicted = [1, 1, 1, 1, 1, 0, 0, 0, 0, 1]
    const score = scoreClassifications(classes, truth, predicted)
    expect(score.confusion).toEqual([
      [3, 1],
      [1, 5],
    ])
    expect(score.accuracy).toBeCloseTo(8 / 10)
    expect(score.photos).toBe(10)
    // smiling: 5 of the 6 called smiling are (precision 5/6), 5 of the 6 smiling were found (recall 5/6).
    expect(score.classes[1]).toMatchObject({ name: 'smiling', photos: 6 })
    expect(score.classes[1].precision).toBeCloseTo(5 / 6)
    expect(score.classes[1].recall).toBeCloseTo(5 / 6)
    // not smiling: 3 of the 4 called not are (3/4), 3 of the 4 not smiling found (3/4).
    expect(score.classes[0]).toMatchObject({ name: 'not smiling', photos: 4 })
    expect(score.classes[0].precision).toBeCloseTo(3 / 4)
    expect(score.classes[0].recall).toBeCloseTo(3 / 4)
  })

  it('says precision is unknown (null) for a class never predicted, and recall for one with no photos', () => {
    // Every photo called smiling; none of them is "not smiling".
    const score = scoreClassifications(classes, [1, 1, 1], [1, 1, 1])
    expect(score.accuracy).toBe(1)
    expect(score.classes[0]).toEqual({ name: 'not smiling', photos: 0, precision: null, recall: null })
    expect(score.classes[1]).toEqual({ name: 'smiling', photos: 3, precision: 1, recall: 1 })

    const lazy = scoreClassifications(classes, [0, 1, 1, 0], [0, 0, 0, 0])
    expect(lazy.accuracy).toBe(0.5)
    expect(lazy.classes[1]).toMatchObject({ precision: null, recall: 0 })
    expect(lazy.classes[0]).toMatchObject({ precision: 0.5, recall: 1 })
  })

  it('scores no photos as accuracy 0, and refuses mismatched or out-of-range classes', () => {
    expect(scoreClassifications(classes, [], [])).toMatchObject({
      accuracy: 0,
      photos: 0,
      confusion: [
        [0, 0],
        [0, 0],
      ],
    })
    expect(() => scoreClassifications(classes, [0, 1], [0])).toThrow(/2 true classes but 1 predictions/)
    expect(() => scoreClassifications(classes, [2], [0])).toThrow(/out of range/)
  })
})
