// The tensor matcher against the nested-loop oracle (./oracle.ts): the same box index, class and — to float32
// precision — offsets for every anchor, on hundreds of random batches (grid anchors from random configs, and arbitrary
// anchor lists) and on the edge cases one at a time: no boxes, one box, degenerate, out-of-image and broken boxes,
// identical boxes, ties, boxes competing for an anchor, thresholds hit exactly.
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { anchorsFor, ssd300Anchors, type AnchorSet } from '../../../src/main/detector/anchors.js'
import type { Variances } from '../../../src/main/detector/box-coder.js'
import type { FeatureMap } from '../../../src/main/detector/config.js'
import { AnchorMatcher, float32AtLeast, padGroundTruth } from '../../../src/main/detector/matcher.js'
import { initEngine } from '../../../src/main/engine/index.js'
import type { Corners } from '../../../src/shared/boxes.js'
import { rng } from '../engine/parity.js'
import { cornersOf, matchImage, type OracleImage, type OracleResult } from './oracle.js'

beforeAll(async () => {
  const engine = await initEngine()
  expect(engine.name).not.toBe('cpu') // never the plain-JS fallback: too slow for real work
})

interface Options {
  pos: number
  neg: number
  variances?: Variances
}

type Matched = Omit<OracleResult, 'offsets' | 'usable'> & { offsets: number[][]; usable: number[] }

/** Run the tensor matcher on plain images (padding to the most boxes; `valid: false` boxes are padding). */
function tensorMatch(matcher: AnchorMatcher, images: OracleImage[]): Matched[] {
  const B = images.length
  const M = Math.max(0, ...images.map((im) => im.boxes.length))
  const boxes = new Float32Array(B * M * 4)
  const labels = new Int32Array(B * M)
  const valid = new Float32Array(B * M)
  images.forEach((im, b) =>
    im.boxes.forEach((box, m) => {
      boxes.set(box, (b * M + m) * 4)
      labels[b * M + m] = im.labels[m]
      valid[b * M + m] = im.valid?.[m] === false ? 0 : 1
    }),
  )
  const gt = { boxes: tf.tensor3d(boxes, [B, M, 4]), labels: tf.tensor2d(labels, [B, M], 'int32'), valid: tf.tensor2d(valid, [B, M]) }
  const before = tf.memory().numTensors
  const r = matcher.matchWithStats(gt)
  const out = [r.matches, r.labels, r.offsets, r.stats.bestIou, r.stats.positives, r.stats.usable].map((t) => t.arraySync())
  tf.dispose([r.matches, r.labels, r.offsets, ...Object.values(r.stats)])
  expect(tf.memory().numTensors).toBe(before) // nothing leaked
  tf.dispose(Object.values(gt))
  const [matches, labs, offsets, bestIou, positives, usable] = out as [number[][], number[][], number[][][], number[][], number[][], number[][]]
  return images.map((im, b) => ({
    matches: matches[b],
    labels: labs[b],
    offsets: offsets[b],
    // (arraySync of a [B, 0] tensor is [], not B empty rows)
    bestIou: (bestIou[b] ?? []).slice(0, im.boxes.length),
    positives: (positives[b] ?? []).slice(0, im.boxes.length),
    usable: (usable[b] ?? []).slice(0, im.boxes.length),
  }))
}

/** Both matchers on the same batch; fails with the first disagreement, in words. */
function expectAgreement(anchors: AnchorSet | number[][], images: OracleImage[], options: Options, matcher?: AnchorMatcher): OracleResult[] {
  const own = matcher ?? new AnchorMatcher(anchors, options)
  try {
    const list = Array.isArray(anchors) ? (anchors as unknown as Corners[]) : cornersOf(anchors.boxes)
    const got = tensorMatch(own, images)
    return images.map((image, b) => {
      const want = matchImage(list, image, options)
      const where = (what: string, i: number) =>
        `image ${b}, ${what} ${i} (pos ${options.pos}, neg ${options.neg}; boxes ${JSON.stringify(image.boxes)})`
      for (let a = 0; a < list.length; a++) {
        if (got[b].matches[a] !== want.matches[a] || got[b].labels[a] !== want.labels[a]) {
          throw new Error(
            `${where('anchor', a)}: matcher says box ${got[b].matches[a]} class ${got[b].labels[a]}, ` +
              `oracle box ${want.matches[a]} class ${want.labels[a]}`,
          )
        }
        for (let c = 0; c < 4; c++) {
          const [x, y] = [got[b].offsets[a][c], want.offsets[a][c]]
          if (!(Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(y)))) throw new Error(`${where('anchor', a)}: offset ${c} is ${x}, oracle ${y}`)
        }
      }
      image.boxes.forEach((_, m) => {
        const [g, w] = [got[b], want]
        if (g.usable[m] !== Number(w.usable[m])) throw new Error(`${where('box', m)}: usable ${g.usable[m]}, oracle ${w.usable[m]}`)
        if (g.bestIou[m] !== w.bestIou[m]) throw new Error(`${where('box', m)}: best IoU ${g.bestIou[m]}, oracle ${w.bestIou[m]}`)
        if (g.positives[m] !== w.positives[m]) throw new Error(`${where('box', m)}: ${g.positives[m]} positives, oracle ${w.positives[m]}`)
      })
      return want
    })
  } finally {
    if (!matcher) own.dispose()
  }
}

// ---- random batches ---------------------------------------------------------------------------------------------

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]
const f32 = (b: number[]) => b.map(Math.fround) as unknown as Corners

/** A config with one map large enough for the matcher's outer-product path and a few small ones. */
function randomAnchors(random: () => number): AnchorSet {
  const input = pick(random, [
    { width: 64, height: 64 },
    { width: 96, height: 64 },
    { width: 80, height: 120 },
    { width: 300, height: 300 },
  ])
  const ratios = () => [1, ...[2, 0.5, 3, 1 / 3, 0.8].filter(() => random() < 0.4)]
  const sizes: [number, number][] = [
    pick(random, [
      [16, 16],
      [16, 20],
      [18, 17],
    ] as [number, number][]),
  ]
  for (const s of [
    [4, 4],
    [3, 5],
    [2, 2],
    [1, 1],
  ] as [number, number][])
    if (random() < 0.6) sizes.push(s)
  let scale = 0.05 + random() * 0.15
  const featureMaps: FeatureMap[] = sizes.map((size) => {
    const map = { size, scale, aspectRatios: ratios(), extraScale: random() < 0.7 }
    scale = Math.min(1.2, scale * (1.3 + random()))
    return map
  })
  return anchorsFor({ input, featureMaps })
}

/** Any anchors: random boxes, a few repeated (equal IoUs between anchors). */
function randomAnchorList(random: () => number): number[][] {
  const list = Array.from({ length: 5 + Math.floor(random() * 50) }, () => [...randomBox(random, 0.02, 0.6)])
  for (let i = 0; i < 3; i++) list.push([...pick(random, list)])
  return list
}

function randomBox(random: () => number, min = 0.005, max = 0.9): Corners {
  const w = min + random() * (max - min)
  const h = min + random() * (max - min)
  const x = random() * 1.3 - 0.15 - w / 2
  const y = random() * 1.3 - 0.15 - h / 2
  return f32([x, y, x + w, y + h])
}

function randomImage(random: () => number, anchors: Corners[]): OracleImage {
  const boxes: Corners[] = []
  const valid: boolean[] = []
  const count = Math.floor(random() * 8)
  for (let i = 0; i < count; i++) {
    const kind = random()
    let box: Corners
    if (kind < 0.35) box = randomBox(random)
    else if (kind < 0.6) {
      // Near an anchor: IoUs around the thresholds, and exactly 1 when the jitter is 0.
      const a = pick(random, anchors)
      const j = random() < 0.2 ? 0 : 0.3 * (a[2] - a[0])
      box = f32(a.map((v) => v + (random() - 0.5) * j))
    } else if (kind < 0.7 && boxes.length > 0)
      box = [...pick(random, boxes)] as unknown as Corners // identical boxes
    else if (kind < 0.75)
      box = f32([0.3, 0.3, 0.3, 0.6]) // no width
    else if (kind < 0.8)
      box = f32([0.6, 0.5, 0.4, 0.7]) // inverted
    else if (kind < 0.85)
      box = pick(random, [f32([1.1, 0.2, 1.4, 0.5]), f32([0.2, -0.5, 0.5, 0]), f32([-0.3, -0.3, -0.1, 0.4])]) // outside
    else if (kind < 0.9)
      box = f32([-0.2, 0.6, 0.25, 1.3]) // partly outside
    else if (kind < 0.93)
      box = f32([-5, 0.2, 0.5, 0.6]) // broken
    else box = randomBox(random, 0.001, 0.02) // tiny
    boxes.push(box)
    valid.push(random() > 0.08) // some padding in the middle of the list
  }
  return { boxes, labels: boxes.map(() => 1 + Math.floor(random() * 3)), valid }
}

const THRESHOLDS: Options[] = [
  { pos: 0.5, neg: 0.4 },
  { pos: 0.5, neg: 0.5 },
  { pos: 0.7, neg: 0.3 },
  { pos: 0.45, neg: 0.45 }, // not a float32: compared as the exact value
  { pos: 0.35, neg: 0.1 },
  { pos: 0, neg: 0 },
  { pos: 0.6, neg: 0 },
  { pos: 1, neg: 0.5 },
]

/** What the random batches exercised, so a generator that drifted into trivial cases fails loudly. */
function tally(results: OracleResult[], seen: Record<string, number>) {
  for (const r of results) {
    for (const m of r.matches) seen[m >= 0 ? 'positive' : m === -1 ? 'background' : 'ignored']++
    r.usable.forEach((u, i) => {
      if (!u) seen.unusable++
      // A usable box that overlaps an anchor yet got none: it lost its best anchor to a better box.
      else if (r.bestIou[i] > 0 && r.positives[i] === 0) seen.lostContest++
    })
  }
}

describe('the matcher agrees exactly with the nested-loop oracle', () => {
  const seen = { positive: 0, background: 0, ignored: 0, unusable: 0, lostContest: 0 }

  it('on 240 random batches of grid anchors from random configs', () => {
    const random = rng(2024)
    for (let set = 0; set < 24; set++) {
      const anchors = randomAnchors(random)
      const options = { ...pick(random, THRESHOLDS), variances: random() < 0.3 ? ([0.2, 0.1, 0.3, 0.25] as const) : undefined }
      const matcher = new AnchorMatcher(anchors, options)
      const list = cornersOf(anchors.boxes)
      try {
        for (let batch = 0; batch < 10; batch++) {
          const images = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomImage(random, list))
          tally(expectAgreement(anchors, images, options, matcher), seen)
        }
      } finally {
        matcher.dispose()
      }
    }
  })

  it('on 120 random batches of arbitrary anchor lists', () => {
    const random = rng(7)
    for (let set = 0; set < 24; set++) {
      const anchors = randomAnchorList(random)
      const options = pick(random, THRESHOLDS)
      const matcher = new AnchorMatcher(anchors, options)
      try {
        for (let batch = 0; batch < 5; batch++) {
          const images = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomImage(random, anchors as unknown as Corners[]))
          tally(expectAgreement(anchors, images, options, matcher), seen)
        }
      } finally {
        matcher.dispose()
      }
    }
  })

  it('…which covered every outcome', () => {
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(20)
  })

  it('on SSD300’s 8,732 anchors', () => {
    const random = rng(300)
    const anchors = ssd300Anchors()
    const list = cornersOf(anchors.boxes)
    const images = Array.from({ length: 3 }, () => ({ ...randomImage(random, list), valid: undefined }))
    const [first] = expectAgreement(anchors, images, { pos: 0.5, neg: 0.4 })
    expect(first.matches.length).toBe(8732)
  })
})

// ---- edge cases ----------------------------------------------------------------------------------------------------

/** Four anchors: the image's quarters (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right). */
const QUARTERS = [
  [0, 0, 0.5, 0.5],
  [0.5, 0, 1, 0.5],
  [0, 0.5, 0.5, 1],
  [0.5, 0.5, 1, 1],
]
const SSD = { pos: 0.5, neg: 0.4 }
const one = (boxes: number[][], labels = boxes.map(() => 1), valid?: boolean[]): OracleImage => ({
  boxes: boxes as unknown as Corners[],
  labels,
  valid,
})

describe('edge cases', () => {
  it('no boxes at all: every anchor is background, class 0, zero offsets', () => {
    const matcher = new AnchorMatcher(QUARTERS, SSD)
    const gt = padGroundTruth([
      { boxes: [], labels: [] },
      { boxes: [], labels: [] },
    ])
    expect(gt.boxes.shape).toEqual([2, 0, 4])
    const r = matcher.match(gt)
    expect(r.matches.arraySync()).toEqual([
      [-1, -1, -1, -1],
      [-1, -1, -1, -1],
    ])
    expect(r.labels.arraySync()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ])
    expect(Array.from(r.offsets.dataSync()).every((v) => v === 0)).toBe(true)
    tf.dispose([...Object.values(r), ...Object.values(gt)])
    matcher.dispose()
    // An image without boxes in a batch with boxes: the same.
    const [, empty] = expectAgreement(QUARTERS, [one([[0, 0, 0.5, 0.5]]), one([])], SSD)
    expect(empty.matches).toEqual([-1, -1, -1, -1])
  })

  it('only padding: as if there were no boxes', () => {
    const [r] = expectAgreement(
      QUARTERS,
      [
        one(
          [
            [0, 0, 0.5, 0.5],
            [0.5, 0.5, 1, 1],
          ],
          [1, 2],
          [false, false],
        ),
      ],
      SSD,
    )
    expect(r.matches).toEqual([-1, -1, -1, -1])
  })

  it('one box: its best anchor and every anchor at IoU ≥ pos are positive, with its class and offsets', () => {
    // The left half of the image: IoU 0.25 / 0.5 = ½ with anchors 0 and 2 (a tie), 0 with the others.
    const [r] = expectAgreement(QUARTERS, [one([[0, 0, 0.5, 1]], [2])], SSD)
    expect(r.matches).toEqual([0, -1, 0, -1]) // anchor 0 forced (the lower index of the tie), anchor 2 by threshold
    expect(r.labels).toEqual([2, 0, 2, 0])
    expect(r.bestIou).toEqual([0.5])
    expect(r.positives).toEqual([2])
    // Box centre (0.25, 0.5), size 0.5 × 1; anchor 0 centre (0.25, 0.25), size 0.5 × 0.5.
    const [dx, dy, dw, dh] = r.offsets[0]
    expect(dx).toBeCloseTo(0, 5)
    expect(dy).toBeCloseTo((0.5 - 0.25) / 0.5 / 0.1, 5)
    expect(dw).toBeCloseTo(0, 5)
    expect(dh).toBeCloseTo(Math.log(1 / 0.5) / 0.2, 5)
    expect(r.offsets[1]).toEqual([0, 0, 0, 0])
  })

  it('a weak box is still forced onto its best anchor, and that wins over the thresholds', () => {
    // A small box inside anchor 3: IoU 0.04, far below neg — its best anchor becomes positive anyway.
    const [r] = expectAgreement(QUARTERS, [one([[0.6, 0.6, 0.7, 0.7]])], SSD)
    expect(r.matches).toEqual([-1, -1, -1, 0])
    // Box 1 fits anchor 0 perfectly; box 0 fits it less well but it is box 0's best: box 1 wins the contest (higher
    // IoU), box 0 keeps no forced anchor, and anchor 0 goes to box 1.
    const [contest] = expectAgreement(
      QUARTERS,
      [
        one([
          [0, 0, 0.4, 0.4],
          [0, 0, 0.5, 0.5],
        ]),
      ],
      SSD,
    )
    expect(contest.matches).toEqual([1, -1, -1, -1])
    expect(contest.positives).toEqual([0, 1])
  })

  it('two boxes wanting the same anchor at the same IoU: the lower box index gets it', () => {
    // Two boxes of the same size inside anchor 0: IoU ¼ each, and anchor 0 is both boxes' best.
    const [r] = expectAgreement(
      QUARTERS,
      [
        one([
          [0.25, 0.25, 0.5, 0.5],
          [0, 0, 0.25, 0.25],
        ]),
      ],
      SSD,
    )
    expect(r.bestIou).toEqual([0.25, 0.25])
    expect(r.matches).toEqual([0, -1, -1, -1])
    expect(r.positives).toEqual([1, 0])
  })

  it('identical boxes: every anchor goes to the first of them', () => {
    const box = [0.05, 0.05, 0.45, 0.5]
    const [r] = expectAgreement(QUARTERS, [one([box, box, box], [3, 2, 1])], SSD)
    expect(r.matches).toEqual([0, -1, -1, -1])
    expect(r.labels).toEqual([3, 0, 0, 0])
    expect(r.positives).toEqual([1, 0, 0])
  })

  it('a box exactly between two anchors is forced onto the lower anchor index', () => {
    const box = [0.25, 0, 0.75, 0.5] // IoU ⅓ with anchors 0 and 1 alike
    const [r] = expectAgreement(QUARTERS, [one([box])], SSD)
    expect(r.bestIou[0]).toBeCloseTo(1 / 3, 6)
    expect(r.matches).toEqual([0, -1, -1, -1])
    // With neg below ⅓ the other one is ignored rather than background.
    const [lower] = expectAgreement(QUARTERS, [one([box])], { pos: 0.5, neg: 0.3 })
    expect(lower.matches).toEqual([0, -2, -1, -1])
  })

  it('IoU exactly at the thresholds: = pos is positive, = neg is ignored (not below it)', () => {
    // Anchor 1 is the box itself (forced); anchor 0 is the whole image, IoU exactly ½ with it.
    const halves = [
      [0, 0, 1, 1],
      [0, 0, 1, 0.5],
    ]
    const box = one([[0, 0, 1, 0.5]])
    expect(expectAgreement(halves, [box], { pos: 0.5, neg: 0.4 })[0].matches).toEqual([0, 0])
    expect(expectAgreement(halves, [box], { pos: 0.50001, neg: 0.4 })[0].matches).toEqual([-2, 0])
    // The same with IoU exactly 0.375 against neg.
    const eighths = [
      [0, 0, 1, 1],
      [0, 0, 1, 0.375],
    ]
    const low = one([[0, 0, 1, 0.375]])
    expect(expectAgreement(eighths, [low], { pos: 0.5, neg: 0.375 })[0].matches).toEqual([-2, 0])
    expect(expectAgreement(eighths, [low], { pos: 0.5, neg: 0.37501 })[0].matches).toEqual([-1, 0])
  })

  it('snaps box coordinates to multiples of 2^-20 before matching, as it snaps anchors', () => {
    // y2 = ½ + 2^-22 would give the whole-image anchor IoU just above pos = ½ + 2^-23; snapped to ½, it is below.
    const halves = [
      [0, 0, 1, 1],
      [0, 0, 1, 0.5],
    ]
    const [r] = expectAgreement(halves, [one([[0, 0, 1, 0.5 + 2 ** -22]])], { pos: 0.5 + 2 ** -23, neg: 0.4 })
    expect(r.matches).toEqual([-2, 0])
  })

  it('degenerate, out-of-image and broken boxes are ignored, as if they were padding', () => {
    const good = [0.55, 0.05, 0.95, 0.45]
    const bad = [
      [0.2, 0.2, 0.2, 0.4], // no width
      [0.4, 0.1, 0.1, 0.4], // inverted
      [1.2, 0.1, 1.6, 0.4], // right of the image
      [0, 1, 0.5, 1.5], // below it (touching the edge is not inside)
      [-6, 0, 0.5, 0.5], // reaching far outside: a broken label
    ]
    const [withBad] = expectAgreement(QUARTERS, [one([...bad, good])], SSD)
    const [alone] = expectAgreement(QUARTERS, [one([good])], SSD)
    expect(withBad.matches).toEqual(alone.matches.map((m) => (m >= 0 ? m + bad.length : m)))
    expect(withBad.bestIou.slice(0, bad.length)).toEqual([0, 0, 0, 0, 0])
  })

  it('a NaN coordinate makes a box unusable, not the batch', () => {
    const matcher = new AnchorMatcher(QUARTERS, SSD)
    const gt = padGroundTruth([
      {
        boxes: [
          [NaN, 0, 0.5, 0.5],
          [0.5, 0.5, 1, 1],
        ],
        labels: [1, 2],
      },
    ])
    const r = matcher.matchWithStats(gt)
    expect(r.matches.arraySync()).toEqual([[-1, -1, -1, 1]])
    expect(r.stats.usable.arraySync()).toEqual([[0, 1]])
    expect(Array.from(r.offsets.dataSync()).every(Number.isFinite)).toBe(true)
    tf.dispose([r.matches, r.labels, r.offsets, ...Object.values(r.stats), ...Object.values(gt)])
    matcher.dispose()
  })

  it('a box partly outside the image is matched as it is', () => {
    const [r] = expectAgreement(QUARTERS, [one([[-0.1, -0.1, 0.45, 0.45]])], SSD)
    expect(r.matches[0]).toBe(0)
    expect(r.offsets[0][0]).toBeLessThan(0)
  })

  it('pos 0: any overlap is positive, but an anchor that overlaps nothing stays background', () => {
    const [r] = expectAgreement(QUARTERS, [one([[0.1, 0.1, 0.6, 0.4]])], { pos: 0, neg: 0 })
    expect(r.matches).toEqual([0, 0, -1, -1])
  })

  it('uses the GroundTruth valid mask, and counts per image', () => {
    const [r] = expectAgreement(
      QUARTERS,
      [
        one(
          [
            [0, 0, 0.5, 0.5],
            [0.5, 0.5, 1, 1],
          ],
          [1, 1],
          [false, true],
        ),
      ],
      SSD,
    )
    expect(r.matches).toEqual([-1, -1, -1, 1])
  })
})

describe('AnchorMatcher', () => {
  it('compares IoUs with the thresholds as exact values, not their float32 roundings', () => {
    expect(float32AtLeast(0.5)).toBe(0.5)
    expect(float32AtLeast(0.45)).toBeGreaterThanOrEqual(0.45)
    expect(Math.fround(float32AtLeast(0.45))).toBe(float32AtLeast(0.45))
    expect(float32AtLeast(0.45) - Math.fround(0.45)).toBeGreaterThanOrEqual(0)
  })

  it('refuses anchors it cannot match exactly, and thresholds in the wrong order', () => {
    expect(() => new AnchorMatcher([[0, 0, 0, 1]], SSD)).toThrow(/anchor 0 has no area/)
    expect(
      () =>
        new AnchorMatcher(
          [
            [0, 0, 1, 1],
            [-9, 0, 1, 1],
          ],
          SSD,
        ),
    ).toThrow(/anchor 1 reaches outside/)
    expect(() => new AnchorMatcher(QUARTERS, { pos: 0.4, neg: 0.5 })).toThrow(/neg/)
  })

  it('releases its tensors on dispose, and a match leaves nothing behind but its results', () => {
    const before = tf.memory().numTensors
    const matcher = new AnchorMatcher(ssd300Anchors(), SSD)
    const gt = padGroundTruth([{ boxes: [[0.1, 0.1, 0.3, 0.4]], labels: [1] }])
    const r = matcher.match(gt)
    expect(r.matches.shape).toEqual([1, 8732])
    expect(r.offsets.shape).toEqual([1, 8732, 4])
    expect(r.matches.dtype).toBe('int32')
    expect(r.labels.dtype).toBe('int32')
    tf.dispose([...Object.values(r), ...Object.values(gt)])
    matcher.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
