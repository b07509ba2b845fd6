import { describe, expect, it } from 'vitest'
import type { EvalError } from '../../../src/shared/api'
import { checkpointChoices } from '../../../src/renderer/src/pages/Evaluate/checkpoints'
import { cropView } from '../../../src/renderer/src/pages/Evaluate/crop'
import { evaluateHash, viewOf } from '../../../src/renderer/src/pages/Evaluate/evaluateHash'
import { alignCurves, nearestPoint } from '../../../src/renderer/src/pages/Evaluate/prChart'
import { foundAt, sizeBounds } from '../../../src/renderer/src/pages/Evaluate/sizes'
import { markOf, reviewMarkHash } from '../../../src/renderer/src/pages/Review/evalMark'

describe('the Evaluate page in its URL', () => {
  it('reads the run, checkpoint, split, IoU, threshold and tab back as written', () => {
    const view = { runId: 3, epoch: 8, split: 'test' as const, iou: 'coco' as const, threshold: 0.4237, errors: 'miss' as const }
    expect(viewOf(evaluateHash(view))).toEqual(view)
  })

  it("writes only what differs from the defaults: the Train page's link is just the run", () => {
    expect(evaluateHash({ runId: 3 })).toBe('#evaluate?run=3')
    expect(viewOf('#evaluate?run=3')).toEqual({ runId: 3, epoch: null, split: 'val', iou: 0.5, threshold: null, errors: 'false-alarm' })
  })

  it('never falls back to the test split: anything but split=test is val', () => {
    expect(viewOf('#evaluate?run=1&split=TEST').split).toBe('val')
    expect(viewOf('#evaluate?run=1&split=').split).toBe('val')
    expect(viewOf('#evaluate?run=1&split=test').split).toBe('test')
  })

  it('ignores what is malformed', () => {
    expect(viewOf('#evaluate?run=-2&epoch=x&iou=0.6&threshold=1.5')).toMatchObject({ runId: null, epoch: null, iou: 0.5, threshold: null })
    expect(viewOf('#train?run=3').runId).toBeNull()
  })
})

describe('a mistake opened in Review', () => {
  const image = { id: 42, path: '/p/a.jpg', sha256: 'ab', width: 640, height: 480 }
  const falseAlarm: EvalError = {
    kind: 'false-alarm',
    image,
    box: { x: 10.25, y: 20, w: 30, h: 40 },
    classIndex: 2,
    className: 'smiling face',
    score: 0.8312,
    boxId: null,
    size: 'medium',
    nearest: null,
  }
  const miss: EvalError = {
    ...falseAlarm,
    kind: 'miss',
    classIndex: 1,
    className: 'face',
    score: null,
    boxId: 17,
    nearest: { x: 12, y: 22, w: 28, h: 36, classIndex: 2, score: 0.2, iou: 0.41 },
  }

  it("carries a false alarm's box, score and class", () => {
    const mark = markOf(reviewMarkHash(falseAlarm, ['face', 'smiling face']))
    expect(mark).toEqual({
      imageId: 42,
      kind: 'false-alarm',
      prediction: { x: 10.3, y: 20, w: 30, h: 40, score: 0.831, className: 'smiling face' },
      labelBoxId: null,
    })
  })

  it("carries a miss's label to select and the model's nearest box, named by its own class", () => {
    const mark = markOf(reviewMarkHash(miss, ['face', 'smiling face']))
    expect(mark).toEqual({
      imageId: 42,
      kind: 'miss',
      prediction: { x: 12, y: 22, w: 28, h: 36, score: 0.2, className: 'smiling face' },
      labelBoxId: 17,
    })
  })

  it('is no mark on a plain Review link, or a broken one', () => {
    expect(markOf('#review?image=42')).toBeNull()
    expect(markOf('#review?image=0&mark=miss')).toBeNull()
    expect(markOf('#review?image=4&mark=miss&box=1,2,0,3')).toEqual({ imageId: 4, kind: 'miss', prediction: null, labelBoxId: null })
  })
})

describe('the crop around a mistake', () => {
  it('centres a square on the box with room around it', () => {
    const v = cropView({ x: 100, y: 100, w: 50, h: 40 }, null, { width: 1000, height: 800 }, 150)
    expect(v.w).toBe(v.h)
    expect(v.w).toBeCloseTo(50 * 2.2, 9)
    expect(v.x + v.w / 2).toBeCloseTo(125, 9)
    expect(v.y + v.h / 2).toBeCloseTo(120, 9)
    expect(v.scale).toBeCloseTo(150 / v.w, 12)
  })

  it('keeps the crop inside the photo at its edges, and takes in the other box of the pair', () => {
    const v = cropView({ x: 0, y: 0, w: 30, h: 30 }, { x: 40, y: 10, w: 30, h: 30 }, { width: 500, height: 500 }, 150)
    expect([v.x, v.y]).toEqual([0, 0])
    expect(v.w).toBeCloseTo(70 * 2.2, 9)
  })

  it('centres on a photo smaller than the crop', () => {
    const v = cropView({ x: 0, y: 0, w: 100, h: 100 }, null, { width: 100, height: 100 }, 150)
    expect(v.x).toBeCloseTo(-60, 9)
  })
})

describe('recall by size at a threshold', () => {
  const curve = [
    { score: 0.9, found: 1 },
    { score: 0.6, found: 3 },
    { score: 0.3, found: 4 },
  ]
  it('counts the boxes found by detections at or above it', () => {
    expect(foundAt(curve, 0.95)).toBe(0)
    expect(foundAt(curve, 0.9)).toBe(1)
    expect(foundAt(curve, 0.5)).toBe(3)
    expect(foundAt(curve, 0.01)).toBe(4)
    expect(foundAt([], 0.5)).toBe(0)
  })
  it("states COCO's bounds as side lengths", () => {
    expect(sizeBounds(0, 1024)).toBe('< 32² px')
    expect(sizeBounds(1024, 9216)).toBe('32²–96² px')
    expect(sizeBounds(9216, null)).toBe('≥ 96² px')
  })
})

describe('the PR chart', () => {
  const a = { recall: [0.5, 0.5, 1], precision: [1, 0.5, 0.67], score: [0.9, 0.8, 0.4] }
  const b = { recall: [0.25, 0.75], precision: [1, 0.75], score: [0.95, 0.5] }

  it("merges the classes' points along recall, each class's own order kept", () => {
    expect(alignCurves([a, b])).toEqual({
      x: [0.25, 0.5, 0.5, 0.75, 1],
      ys: [
        [null, 1, 0.5, null, 0.67],
        [1, null, null, 0.75, null],
      ],
    })
  })

  it('picks the score of the point nearest a click', () => {
    const toPx = (r: number, p: number) => ({ x: r * 100, y: (1 - p) * 100 })
    expect(nearestPoint([a, b], { x: 74, y: 24 }, toPx)).toEqual({ curve: 1, index: 1, score: 0.5 })
    expect(nearestPoint([a, b], { x: 50, y: 0 }, toPx)).toEqual({ curve: 0, index: 0, score: 0.9 })
    expect(nearestPoint([], { x: 0, y: 0 }, toPx)).toBeNull()
  })
})

describe("a run's checkpoints", () => {
  it('offers the best first, then the others newest first, one per epoch', () => {
    const evals = [
      { epoch: 1, ap50: 0.2, checkpoint: '/c/1' },
      { epoch: 2, ap50: 0.5, checkpoint: '/c/2' },
      { epoch: 3, ap50: 0.4, checkpoint: '/c/3' },
      { epoch: 3, ap50: 0.45, checkpoint: '/c/3b' },
    ]
    expect(checkpointChoices({ bestCheckpoint: '/c/2' }, evals)).toEqual([
      { epoch: 2, best: true, label: 'Best: epoch 2 · AP50 0.500 on val' },
      { epoch: 3, best: false, label: 'epoch 3 · AP50 0.450 on val' },
      { epoch: 1, best: false, label: 'epoch 1 · AP50 0.200 on val' },
    ])
  })
})
