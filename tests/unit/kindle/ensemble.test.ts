// Ensembles of teachers: weighted box fusion and union-NMS on hand-worked cases, and how ensembles are named.
import { describe, expect, it } from 'vitest'
import { ensembleTeacher, teacherVersion, unionNms, weightedBoxFusion, type FaceBox, type Teacher } from '../../../src/main/kindle/index.js'
import { requests } from '../../../src/shared/api.js'
import { parseTeacherSpec, TEACHER_CHOICES } from '../../../src/shared/teachers.js'

const box = (x: number, y: number, w: number, h: number, score: number): FaceBox => ({ x, y, w, h, score })

describe('weighted box fusion', () => {
  it('fuses two teachers’ boxes of one face: score-weighted corners, mean score, full agreement', () => {
    // IoU of A and B = 80 / 120 = 0.667 > 0.55: one cluster.
    // x0 = (0.9·0 + 0.6·2) / 1.5 = 0.8, x1 = (0.9·10 + 0.6·12) / 1.5 = 10.8; score (0.9 + 0.6) / 2 × 2/2.
    const [fused, ...rest] = weightedBoxFusion([[box(0, 0, 10, 10, 0.9)], [box(2, 0, 10, 10, 0.6)]])
    expect(rest).toEqual([])
    expect(fused.x).toBeCloseTo(0.8, 10)
    expect(fused.y).toBeCloseTo(0, 10)
    expect(fused.w).toBeCloseTo(10, 10)
    expect(fused.h).toBeCloseTo(10, 10)
    expect(fused.score).toBeCloseTo(0.75, 10)
  })

  it('discounts a face only one of two teachers sees to half its score, and keeps far-apart faces apart', () => {
    const out = weightedBoxFusion([[box(0, 0, 10, 10, 0.9), box(100, 100, 20, 20, 0.8)], [box(1, 0, 10, 10, 0.9)]])
    expect(out).toHaveLength(2)
    expect(out[0].score).toBeCloseTo(0.9, 10)
    expect(out[1]).toEqual({ x: 100, y: 100, w: 20, h: 20, score: 0.4 })
  })

  it('counts a teacher once however many of its boxes fall in a cluster', () => {
    // Both from teacher 0, IoU 0.818: one cluster; mean score 0.8, agreement 1 of 2 teachers.
    const [fused] = weightedBoxFusion([[box(0, 0, 10, 10, 0.9), box(1, 0, 10, 10, 0.7)], []])
    expect(fused.score).toBeCloseTo(0.4, 10)
    expect(fused.x).toBeCloseTo(0.7 / 1.6, 10)
  })

  it('does not cluster boxes at or below the IoU threshold', () => {
    // IoU 50 / 150 = 0.333.
    const out = weightedBoxFusion([[box(0, 0, 10, 10, 0.9)], [box(5, 0, 10, 10, 0.8)]])
    expect(out.map((b) => [b.x, b.score])).toEqual([
      [0, 0.45],
      [5, 0.4],
    ])
  })

  it('weights teachers: a weight-2 teacher pulls the coordinates twice as hard and counts for 2 of 3 agreement', () => {
    // Weights 2 and 1: x0 = (2·0.9·0 + 0.6·2) / (1.8 + 0.6) = 0.5; score (2·0.9 + 0.6) / 3 = 0.8 × 3/3.
    const [fused] = weightedBoxFusion([[box(0, 0, 10, 10, 0.9)], [box(2, 0, 10, 10, 0.6)]], { iou: 0.55, weights: [2, 1] })
    expect(fused.x).toBeCloseTo(0.5, 10)
    expect(fused.score).toBeCloseTo(0.8, 10)
    const [lone] = weightedBoxFusion([[], [box(0, 0, 10, 10, 0.9)]], { iou: 0.55, weights: [2, 1] })
    expect(lone.score).toBeCloseTo(0.3, 10)
    expect(() => weightedBoxFusion([[], []], { iou: 0.55, weights: [1] })).toThrow(/1 weights for 2 teachers/)
  })

  it('grows a cluster against its fused box, not its first member', () => {
    // A and B (IoU 0.667) fuse to x 1–11. C overlaps A by 62 / 138 = 0.449, below 0.55, but the fused box by
    // 72 / 128 = 0.5625: it joins.
    const a = box(0, 0, 10, 10, 0.8)
    const b = box(2, 0, 10, 10, 0.8)
    const c = box(3.8, 0, 10, 10, 0.7)
    const out = weightedBoxFusion([[a], [b], [c]])
    expect(out).toHaveLength(1)
    expect(out[0].score).toBeCloseTo((0.8 + 0.8 + 0.7) / 3, 10)
  })
})

describe('union with NMS', () => {
  it('keeps the best box of each face from any teacher, scores as they were', () => {
    const out = unionNms([[box(0, 0, 10, 10, 0.6), box(50, 0, 10, 10, 0.7)], [box(2, 0, 10, 10, 0.9)]])
    expect(out).toEqual([box(2, 0, 10, 10, 0.9), box(50, 0, 10, 10, 0.7)])
  })
})

describe('ensemble teachers', () => {
  const fixed = (name: string, boxes: FaceBox[], seen: number[]): Teacher => ({
    name,
    version: '1',
    async detect(_image, { minScore }) {
      seen.push(minScore)
      return boxes.filter((b) => b.score >= minScore)
    },
  })
  const pixels = { data: new Uint8Array(3), width: 1, height: 1 }

  it('asks its members for boxes below its own bar (WBF) and keeps fused boxes at or above it', async () => {
    const seen: number[] = []
    const t = ensembleTeacher(
      'ensemble(a+b,wbf)',
      [fixed('a', [box(0, 0, 10, 10, 0.9), box(50, 50, 10, 10, 0.95)], seen), fixed('b', [box(1, 0, 10, 10, 0.3)], seen)],
      'wbf',
    )
    const out = await t.detect(pixels, { minScore: 0.5 })
    expect(seen).toEqual([0.25, 0.25])
    // Agreed face: (0.9 + 0.3) / 2 = 0.6 kept; the lone 0.95 becomes 0.475 and is dropped.
    expect(out).toHaveLength(1)
    expect(out[0].score).toBeCloseTo(0.6, 10)
    expect(t.version).toBe('a 1 + b 1; wbf iou 0.55')
  })

  it('union-nms members run at the ensemble’s own bar', async () => {
    const seen: number[] = []
    const t = ensembleTeacher('ensemble(a+b,union-nms)', [fixed('a', [box(0, 0, 9, 9, 0.95)], seen), fixed('b', [], seen)], 'union-nms')
    expect(await t.detect(pixels, { minScore: 0.5 })).toHaveLength(1)
    expect(seen).toEqual([0.5, 0.5])
  })
})

describe('teacher names', () => {
  it('reads single teachers, a+b with a method, and the stored ensemble name', () => {
    expect(parseTeacherSpec('blazeface')).toEqual({ name: 'blazeface', members: ['blazeface'], method: null })
    expect(parseTeacherSpec('ssd-mobilenetv1+blazeface').name).toBe('ensemble(ssd-mobilenetv1+blazeface,union-nms)')
    expect(parseTeacherSpec('ssd-mobilenetv1+blazeface', 'wbf').name).toBe('ensemble(ssd-mobilenetv1+blazeface,wbf)')
    expect(parseTeacherSpec('ensemble(ssd-mobilenetv1+blazeface,union-nms)').method).toBe('union-nms')
  })

  it('refuses unknown teachers and methods, repeats, and one-teacher ensembles, saying what is allowed', () => {
    expect(() => parseTeacherSpec('retinaface')).toThrow(
      /unknown teacher "retinaface": use one of ssd-mobilenetv1, tiny-face-detector, blazeface/,
    )
    expect(() => parseTeacherSpec('ensemble(blazeface+ssd-mobilenetv1,vote)')).toThrow(/unknown ensemble method "vote"/)
    expect(() => parseTeacherSpec('blazeface+blazeface')).toThrow(/names a teacher twice/)
    expect(() => parseTeacherSpec('ensemble(blazeface,wbf)')).toThrow(/at least two teachers/)
    expect(() => parseTeacherSpec('ensemble(a+b,wbf)'.replace('a+b', 'blazeface+ssd-mobilenetv1'), 'union-nms')).toThrow(/says wbf/)
  })

  it('the API takes every teacher the Library offers and refuses others by name', () => {
    const params = requests['kindle.start'].params
    for (const { value } of TEACHER_CHOICES) expect(params.safeParse({ teacher: value }).success).toBe(true)
    const bad = params.safeParse({ teacher: 'ssd-mobilenetv1+retinaface' })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]).toMatchObject({ path: ['teacher'], message: expect.stringMatching(/unknown teacher "retinaface"/) })
    expect(params.safeParse({ teacher: 'blazeface', scope: 'everything' }).success).toBe(false)
  })

  it('versions an ensemble by its members’ versions and method, without loading a model', () => {
    const v = teacherVersion(parseTeacherSpec('ssd-mobilenetv1+blazeface', 'wbf'))
    expect(v).toMatch(/^ssd-mobilenetv1 face-api [\d.]+ \+ blazeface human-models [\d.]+ blazeface-back 256 box 0.89x0.88\+0.02; wbf iou 0.55$/)
  })
})
