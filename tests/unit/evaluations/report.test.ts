// The report's AP, computed from its own per-photo matches (so a label edit rematches one photo, not ten thousand),
// must be `evaluate`'s — the training's and `kindling eval --gt`'s — exactly, on random photos with two classes.
import { describe, expect, it } from 'vitest'
import { countCurve, evaluate, type Detection, type GroundTruthBox } from '../../../src/main/eval/index.js'
import { LoadedEvaluation, rankKept } from '../../../src/main/evaluations/report.js'
import type { Evaluation } from '../../../src/shared/api.js'
import type { Corners } from '../../../src/shared/boxes.js'

function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), s | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function world(seed: number, count = 200) {
  const rand = random(seed)
  const box = (): Corners => {
    const side = 10 + rand() * 120
    const x = rand() * 500
    const y = rand() * 350
    return [x, y, x + side, y + side * (0.8 + rand() * 0.4)]
  }
  const near = (b: Corners): Corners => {
    const j = () => (rand() - 0.5) * 0.4 * (b[2] - b[0])
    return [b[0] + j(), b[1] + j(), b[2] + j(), b[3] + j()]
  }
  let boxId = 1
  const photos = Array.from({ length: count }, () => {
    const labels = Array.from({ length: Math.floor(rand() * 4) }, () => ({ boxId: boxId++, classIndex: 1 + Math.floor(rand() * 2), box: box() }))
    const detections = [
      ...labels
        .filter(() => rand() < 0.8)
        .map((l) => ({ classIndex: rand() < 0.9 ? l.classIndex : 3 - l.classIndex, box: near(l.box), score: rand() })),
      ...Array.from({ length: Math.floor(rand() * 5) }, () => ({ classIndex: 1 + Math.floor(rand() * 2), box: box(), score: rand() * rand() })),
    ]
    // A few exact ties, which both must rank alike.
    if (detections.length > 1 && rand() < 0.2) detections[1].score = detections[0].score
    return { imageId: 0, width: 640, height: 480, detections, labels }
  })
  return photos
}

function loaded(photos: ReturnType<typeof world>): LoadedEvaluation {
  const kept = rankKept(
    { id: 1 } as Evaluation,
    ['face', 'smiling-face'],
    photos.map(({ labels: _labels, ...p }) => p),
  )
  return new LoadedEvaluation(
    kept,
    photos.map((p) => p.labels),
    'fp',
  )
}

function oracle(photos: ReturnType<typeof world>) {
  const groundTruth: GroundTruthBox[] = []
  const detections: Detection[] = []
  photos.forEach((p, imageId) => {
    for (const l of p.labels) groundTruth.push({ imageId, classId: l.classIndex, box: l.box })
    for (const d of p.detections) detections.push({ imageId, classId: d.classIndex, box: d.box, score: d.score })
  })
  return evaluate({
    classes: [
      { id: 1, name: 'face' },
      { id: 2, name: 'smiling-face' },
    ],
    groundTruth,
    detections,
  })
}

describe("the report's average precision", () => {
  for (const seed of [1, 2, 3]) {
    it(`is evaluate's AP50, AP75 and AP 0.50:0.95 per class (seed ${seed})`, () => {
      const photos = world(seed)
      const mine = loaded(photos).averagePrecision()
      const theirs = oracle(photos)
      theirs.classes.forEach((c, i) => {
        expect(mine.classes[i].ap50).toBeCloseTo(c.ap50!, 12)
        expect(mine.classes[i].ap75).toBeCloseTo(c.apByIou.find((a) => a.iou === 0.75)!.ap, 12)
        expect(mine.classes[i].ap).toBeCloseTo(c.ap!, 12)
      })
      expect(mine.mean.ap50).toBeCloseTo(theirs.ap50!, 12)
    })
  }

  it('ranks float32 scores (as the store keeps them) as a stable sort by score does, and curves them as countCurve', () => {
    for (const seed of [5, 6]) {
      const photos = world(seed, 400).map((p) => ({ ...p, detections: p.detections.map((d) => ({ ...d, score: Math.fround(d.score) })) }))
      // Ties across photos too: the same score in two photos ranks in photo order.
      photos[3].detections.forEach((d) => (d.score = Math.fround(0.5)))
      photos[9].detections.forEach((d) => (d.score = Math.fround(0.5)))
      const l = loaded(photos)
      const order = photos.flatMap((p, photo) => p.detections.map((d, det) => ({ photo, det, score: d.score })))
      order.sort((a, b) => b.score - a.score)
      expect(Array.from(l.kept.ranking)).toEqual(order.flatMap((o) => [o.photo, o.det]))
      const theirs = oracle(photos)
      theirs.classes.forEach((c, i) => expect(l.averagePrecision().classes[i].ap).toBeCloseTo(c.ap!, 12))
      const m = l.at(0.5)
      const outcomes = Array.from(m.detections.rank, (k, i) => ({
        score: l.kept.rankScore[k],
        tp: m.detections.tp[i] === 1,
        classIndex: l.kept.rankClass[k],
      }))
      expect(m.pooled).toEqual(countCurve(outcomes))
      expect(m.perClass[1]).toEqual(countCurve(outcomes.filter((d) => d.classIndex === 2)))
    }
  })

  it('is the same after relabelling as a fresh load with those labels', () => {
    const photos = world(4)
    const before = loaded(photos)
    const moved = photos.map((p, i) => (i === 7 && p.labels.length ? { ...p, labels: p.labels.slice(1) } : p))
    const after = before.relabel(
      moved.map((p) => p.labels),
      'fp2',
    )
    expect(after.averagePrecision()).toEqual(loaded(moved).averagePrecision())
    expect(after.at(0.5).pooled).toEqual(loaded(moved).at(0.5).pooled)
  })
})
