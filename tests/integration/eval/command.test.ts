// `kindling eval` on real ground truth: GENKI-SZSL val (681 photos, 683 face boxes, one face labelled per photo).
// Detections are made from the labels themselves — jittered, some dropped, some duplicated, some spurious — so the
// right answer is known from how each one was made, and the RESULT line is checked against numbers computed here
// without the evaluation module's matching or interpolation code.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cornersOf, iou, type Corners } from '../../../src/shared/boxes.js'
import { CocoFileError } from '../../../src/main/eval/index.js'
import { evalCommand } from '../../../src/main/server/commands/eval.js'
import { UsageError } from '../../../src/main/server/usage.js'
import { datasets, tempDir } from '../../helpers/fixtures.js'

const gtFile = path.join(datasets, 'genki', 'szsl-val.coco.json')
const gt = JSON.parse(fs.readFileSync(gtFile, 'utf8')) as {
  images: { id: number; width: number; height: number }[]
  annotations: { image_id: number; category_id: number; bbox: [number, number, number, number] }[]
}
const THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]

/** Deterministic pseudo-random numbers (mulberry32), so the detections are the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Kind = 'hit' | 'near' | 'far'
interface Made {
  json: { image_id: number; category_id: number; bbox: number[]; score: number }
  kind: Kind
  /** For hits: which label it was made from and how well it fits it. */
  source: number
  fit: number
}

const corners = (b: readonly number[]): Corners => cornersOf({ x: b[0], y: b[1], w: b[2], h: b[3] })

function makeDetections(): Made[] {
  const rand = random(4)
  const labelsOf = new Map<number, number[]>()
  gt.annotations.forEach((a, i) => labelsOf.set(a.image_id, [...(labelsOf.get(a.image_id) ?? []), i]))
  const sizeOf = new Map(gt.images.map((im) => [im.id, im]))
  const made: Made[] = []
  const others = (imageId: number, source: number) =>
    labelsOf
      .get(imageId)!
      .filter((i) => i !== source)
      .map((i) => corners(gt.annotations[i].bbox))

  gt.annotations.forEach((a, source) => {
    const [x, y, w, h] = a.bbox
    const label = corners(a.bbox)
    const detection = (bbox: number[], score: number, kind: Kind) => ({
      json: { image_id: a.image_id, category_id: 1, bbox, score },
      kind,
      source,
      fit: iou(corners(bbox), label),
    })
    // How far off a detection is varies too, from exact to about half a box, so fits cover every COCO threshold.
    const jittered = (score: number) => {
      const off = rand()
      const s = 1 + (rand() - 0.5) * 0.5 * off
      return detection([x + (rand() - 0.5) * 0.5 * off * w, y + (rand() - 0.5) * 0.5 * off * h, w * s, h * s], score, 'hit')
    }
    const candidates: Made[] = []
    // 1 label in 10 is missed; the others are found, scoring 0.3–1.
    if (rand() >= 0.1) candidates.push(jittered(0.3 + 0.7 * rand()))
    // A second detection of the same face, 15% of the time, at any score.
    if (rand() < 0.15) candidates.push(jittered(rand()))
    // A near miss (half a box to the side, IoU about 1/3): wrong whether or not other faces go unlabelled.
    if (rand() < 0.2) candidates.push(detection([x + 0.5 * w, y, w, h], 0.9 * rand(), 'near'))
    // Something in a corner, touching no label: a false positive — or, when unlabelled faces are "unknown", nothing.
    if (rand() < 0.3) {
      const { width, height } = sizeOf.get(a.image_id)!
      const side = 0.2 * Math.min(width, height)
      const corner = [
        [0, 0],
        [width - side, 0],
        [0, height - side],
        [width - side, height - side],
      ][Math.floor(4 * rand())]
      candidates.push(detection([corner[0], corner[1], side, side], 0.9 * rand(), 'far'))
    }
    for (const c of candidates) {
      const box = corners(c.json.bbox)
      const label = corners(a.bbox)
      const overlaps = [label, ...others(a.image_id, source)].map((l) => iou(box, l))
      // Keep only detections whose fate the rules below decide alone: a hit overlaps no other label by 0.1 or more
      // (one GENKI val photo has two boxes on the same face, and a hit there could take either), a near miss matches
      // no label at 0.5, a far one overlaps nothing at all.
      const clean =
        c.kind === 'hit'
          ? overlaps[0] >= 0.1 && overlaps.slice(1).every((o) => o < 0.1)
          : c.kind === 'near'
            ? overlaps[0] >= 0.1 && overlaps.every((o) => o < 0.5)
            : overlaps.every((o) => o === 0)
      if (clean) made.push(c)
    }
  })
  return made
}

interface Expected {
  ap50: number
  ap: number
  recall: number
}

/**
 * The answer, from first principles. At threshold t, a label's best-scoring detection among those made from it that fit
 * it by t or more is a true positive; every other detection is a false positive (or, with unknowns, a far one does not
 * count). Then, walking detections best first:
 *   VOC AP  = Σ over true positives of (1/labels) × the best precision at this rank or below
 *   COCO AP = the mean over r = 0, 0.01, …, 1 of the best precision at any rank with recall ≥ r, then over thresholds.
 */
function expected(made: Made[], o: { iou?: number; maxDets?: number; unknown?: boolean } = {}): Expected {
  const labels = gt.annotations.length
  let counted = made.slice().sort((a, b) => b.json.score - a.json.score)
  if (o.maxDets) {
    const perImage = new Map<number, number>()
    counted = counted.filter((d) => {
      const n = perImage.get(d.json.image_id) ?? 0
      perImage.set(d.json.image_id, n + 1)
      return n < o.maxDets!
    })
  }
  if (o.unknown) counted = counted.filter((d) => d.kind !== 'far')

  const hits = (t: number) => {
    const taken = new Set<number>()
    return counted.map((d) => {
      if (d.kind !== 'hit' || d.fit < t || taken.has(d.source)) return false
      taken.add(d.source)
      return true
    })
  }
  const curve = (t: number) => {
    let tp = 0
    return hits(t).map((hit, i) => {
      if (hit) tp++
      return { hit, recall: tp / labels, precision: tp / (i + 1) }
    })
  }
  const bestFrom = (points: { precision: number }[], i: number) => Math.max(...points.slice(i).map((p) => p.precision))
  const voc = (t: number) => {
    const points = curve(t)
    return points.reduce((sum, p, i) => sum + (p.hit ? bestFrom(points, i) / labels : 0), 0)
  }
  const coco = (t: number) => {
    const points = curve(t)
    let sum = 0
    for (let k = 0; k <= 100; k++) {
      const reaching = points.filter((p) => p.recall >= k / 100)
      sum += reaching.length ? Math.max(...reaching.map((p) => p.precision)) : 0
    }
    return sum / 101
  }
  const t = o.iou ?? 0.5
  return {
    ap50: voc(t),
    ap: THRESHOLDS.reduce((sum, u) => sum + coco(u), 0) / THRESHOLDS.length,
    recall: hits(t).filter(Boolean).length / labels,
  }
}

let logs: string[]
beforeEach(() => {
  logs = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')))
})
afterEach(() => vi.restoreAllMocks())

const resultLine = () => {
  const last = logs.at(-1) ?? ''
  expect(last).toMatch(/^RESULT \{/)
  return JSON.parse(last.slice('RESULT '.length)) as Expected
}

const expectClose = (actual: Expected, wanted: Expected) => {
  expect(actual.ap50).toBeCloseTo(wanted.ap50, 12)
  expect(actual.ap).toBeCloseTo(wanted.ap, 12)
  expect(actual.recall).toBeCloseTo(wanted.recall, 12)
}

describe('kindling eval on GENKI-SZSL val', () => {
  const made = makeDetections()
  const dir = tempDir('kindling-eval-')
  const predFile = path.join(dir, 'detections.json')
  fs.writeFileSync(predFile, JSON.stringify(made.map((m) => m.json)))

  it('makes a test set with every kind of detection in it', () => {
    const count = (kind: Kind) => made.filter((m) => m.kind === kind).length
    expect(gt.annotations).toHaveLength(683)
    expect(count('hit')).toBeGreaterThan(600)
    expect(count('near')).toBeGreaterThan(80)
    expect(count('far')).toBeGreaterThan(100)
    // Fits spread across the COCO thresholds, so the 0.50:0.95 average is not just AP50 again.
    const fits = made.filter((m) => m.kind === 'hit').map((m) => m.fit)
    expect(fits.some((f) => f < 0.5) && fits.some((f) => f > 0.95)).toBe(true)
    // No score ties, so the ranking does not depend on tie-breaking.
    expect(new Set(made.map((m) => m.json.score)).size).toBe(made.length)
  })

  it('prints the per-class table and a RESULT line matching the numbers worked out independently', async () => {
    expect(await evalCommand(['--gt', gtFile, '--pred', predFile])).toBe(0)
    const want = expected(made)
    expectClose(resultLine(), want)
    // Sanity: the made-up detector is decent at 0.5 and much worse averaged over 0.50:0.95.
    expect(want.ap50).toBeGreaterThan(0.6)
    expect(want.ap).toBeLessThan(want.ap50 - 0.15)

    expect(logs[0]).toBe(`${predFile} against ${gtFile}: 681 images, ${made.length} detections`)
    const header = logs.find((l) => l.startsWith('class'))!
    expect(header.split(/\s{2,}/)).toEqual(['class', 'gt', 'detections', 'AP@0.5', 'AP 0.50:0.95', 'recall'])
    const row = logs.find((l) => l.startsWith('face'))!.split(/\s+/)
    expect(row).toEqual(['face', '683', String(made.length), want.ap50.toFixed(3), want.ap.toFixed(3), want.recall.toFixed(3)])
  })

  it('does not count detections that overlap no label with --unlabelled-unknown', async () => {
    expect(await evalCommand(['--gt', gtFile, '--pred', predFile, '--unlabelled-unknown'])).toBe(0)
    const want = expected(made, { unknown: true })
    expectClose(resultLine(), want)
    expect(want.ap50).toBeGreaterThan(expected(made).ap50)
    const far = made.filter((m) => m.kind === 'far').length
    expect(logs).toContain(`note: ${far} detections overlapping no label (IoU < 0.1) not counted (--unlabelled-unknown)`)
  })

  it('scores at another IoU and caps detections per image on request', async () => {
    expect(await evalCommand(['--gt', gtFile, '--pred', predFile, '--iou', '0.75', '--max-dets', '1'])).toBe(0)
    expectClose(resultLine(), expected(made, { iou: 0.75, maxDets: 1 }))
    expect(logs.find((l) => l.startsWith('class'))).toContain('AP@0.75')
    expect(logs.some((l) => /^note: \d+ detections beyond the best 1 per image and class not counted/.test(l))).toBe(true)
  })

  it('prints the whole evaluation, curves included, as one line of JSON with --json', async () => {
    expect(await evalCommand(['--gt', gtFile, '--pred', predFile, '--json'])).toBe(0)
    expect(logs).toHaveLength(1)
    const report = JSON.parse(logs[0])
    expectClose(report, expected(made))
    expect(report).toMatchObject({ gt: gtFile, pred: predFile, images: 681, options: { iou: 0.5, maxDetections: 100 } })
    const [face] = report.classes
    expect(face).toMatchObject({ name: 'face', gt: 683, detections: made.length })
    expect(face.pr).toHaveLength(made.length)
    expect(face.pr[0]).toEqual({ recall: expect.any(Number), precision: expect.any(Number), score: expect.any(Number) })
  })
})

describe('kindling eval refuses bad input', () => {
  const dir = tempDir('kindling-eval-bad-')
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
    return file
  }
  const good = { image_id: gt.images[0].id, category_id: 1, bbox: [10, 10, 20, 20], score: 0.5 }
  const failure = async (args: string[]) => {
    try {
      await evalCommand(args)
    } catch (error) {
      return error as Error
    }
    throw new Error('expected evalCommand to fail')
  }

  it.each([
    ['bbox.json', [good, good, good, { ...good, bbox: [1, 2, 3] }], '[3].bbox: expected array of 4 numbers'],
    ['score.json', [good, { ...good, score: 'high' }], '[1].score: expected a number, got "high"'],
    ['image.json', [{ ...good, image_id: 999999 }], '[0].image_id: no image with id 999999 in GT'],
    ['category.json', [{ ...good, category_id: 0 }], '[0].category_id: no category with id 0 in GT (it has 1 "face")'],
    ['broken.json', '[{"image_id": 9,', 'not valid JSON'],
  ])('a detections file with a bad field (%s) is one line naming the file and the field', async (name, content, reason) => {
    const file = write(name, content)
    const error = await failure(['--gt', gtFile, '--pred', file])
    expect(error).toBeInstanceOf(CocoFileError)
    expect(error.message).toContain(`${file}: ${reason.replace('GT', gtFile)}`)
    expect(error.message).not.toContain('\n')
  })

  it('names a missing file, and a ground-truth file given as detections', async () => {
    const missing = path.join(dir, 'nope.json')
    expect((await failure(['--gt', gtFile, '--pred', missing])).message).toBe(`${missing}: file not found`)
    expect((await failure(['--gt', missing, '--pred', gtFile])).message).toBe(`${missing}: file not found`)
    expect((await failure(['--gt', gtFile, '--pred', gtFile])).message).toMatch(/is this a ground-truth file\?$/)
  })

  it('refuses ground truth without any box to score against', async () => {
    const empty = write('empty.coco.json', { images: [{ id: 1 }], annotations: [], categories: [{ id: 1, name: 'face' }] })
    const pred = write('none.json', [])
    expect((await failure(['--gt', empty, '--pred', pred])).message).toBe(
      `${empty}: annotations: no boxes to evaluate against (none, or all crowd/ignored)`,
    )
  })

  it.each([
    [['--pred', 'p.json'], /--gt GT\.coco\.json is required/],
    [['--gt', 'g.json'], /--pred DETECTIONS\.json is required/],
    [['--gt', 'g.json', '--pred', 'p.json', '--iou', '1.5'], /--iou must be a number in \(0, 1\], not "1\.5"/],
    [['--gt', 'g.json', '--pred', 'p.json', '--iou', 'half'], /--iou must be a number/],
    [['--gt', 'g.json', '--pred', 'p.json', '--max-dets', '0'], /--max-dets must be a positive whole number/],
    [['--gt', 'g.json', '--pred', 'p.json', '--frobnicate'], /frobnicate/],
    [['--gt', 'g.json', '--pred', 'p.json', 'extra'], /extra/],
  ])('calls %j a usage error (exit 2), before touching any file', async (args, reason) => {
    const error = await failure(args)
    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toMatch(reason)
  })
})
