// The anchor coverage report and the `kindling anchors` commands: hand-worked coverage by box size, a real project
// read from its store, and bad input refused with a one-line error that names the field.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { anchorsCommand, projectBoxes } from '../../../src/main/server/commands/anchors.js'
import { runCommand } from '../../../src/main/server/usage.js'
import type { DetectorConfigInput } from '../../../src/main/detector/config.js'
import { DetectorConfig } from '../../../src/main/detector/config.js'
import { anchorCoverage, formatCoverage, type CoverageImage } from '../../../src/main/detector/coverage.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { Store } from '../../../src/main/store/index.js'
import { tempDir } from '../../helpers/fixtures.js'

beforeAll(async () => {
  const engine = await initEngine()
  expect(engine.name).not.toBe('cpu')
})

/** 20-px square anchors every 10 px on a 100×100 input: a 10×10 map, scale 0.2, one anchor per cell. */
const small: DetectorConfigInput = {
  name: 'coverage-test',
  input: { width: 100, height: 100 },
  classes: ['face'],
  backbone: { name: 'alexnet' },
  featureMaps: [{ size: [10, 10], scale: 0.2, aspectRatios: [1], extraScale: false }],
  matcher: { pos: 0.5, neg: 0.4 },
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
  loss: { name: 'ssd' },
  decoding: {},
}

// On a 200×200 photo (halved to the 100×100 input):
const exact = { x: 30, y: 30, w: 40, h: 40 } // → input [15, 15, 35, 35]: anchor (2, 2) itself, 20 px
const tiny = { x: 100, y: 100, w: 10, h: 10 } // → 5 px: IoU 25/400 with its best anchor
const huge = { x: 0, y: 0, w: 200, h: 200 } // → 100 px: IoU 400/10,000
const flat = { x: 10, y: 10, w: 50, h: 0 } // no area: the matcher ignores it

describe('anchorCoverage', () => {
  it('counts, per size after resizing, the boxes whose best anchor reaches pos, and positives per box', () => {
    const images: CoverageImage[] = [
      { width: 200, height: 200, boxes: [exact, tiny] },
      { width: 200, height: 200, boxes: [huge, flat] },
      { width: 200, height: 200, boxes: [] },
    ]
    const report = anchorCoverage(DetectorConfig.parse(small), images)
    expect(report).toMatchObject({ anchors: 100, images: 3, unusable: 1, pos: 0.5 })
    const bySize = Object.fromEntries(report.rows.map((r) => [r.size, [r.boxes, r.covered]]))
    expect(bySize).toEqual({ '<16': [1, 0], '16–32': [1, 1], '32–64': [0, 0], '64–128': [1, 0], '128–256': [0, 0], '≥256': [0, 0] })
    // Each box has exactly one positive: the exact one its own anchor (its neighbours reach IoU ⅓), the others
    // their forced best anchor.
    expect(report.all).toEqual({ size: 'all', boxes: 3, covered: 1, share: 1 / 3, meanPositives: 1 })
    expect(report.rows[2]).toMatchObject({ share: null, meanPositives: null })
    const table = formatCoverage(report)
    expect(table).toContain('16–32')
    expect(table).toContain('33.3%')
    expect(table).toContain('1 boxes ignored by the matcher')
  })

  it('sizes boxes by the shorter side on the network input, after a non-uniform resize', () => {
    // A 640×480 photo on the 100×100 input: a 40×40-px face becomes 6.25 × 8.33 — the <16 bucket.
    const report = anchorCoverage(DetectorConfig.parse(small), [{ width: 640, height: 480, boxes: [{ x: 300, y: 200, w: 40, h: 40 }] }])
    expect(report.rows[0]).toMatchObject({ size: '<16', boxes: 1 })
  })
})

// ---- the commands ----------------------------------------------------------------------------------------------------

const output = { out: [] as string[], err: [] as string[] }
function capture() {
  output.out = []
  output.err = []
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void output.out.push(a.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void output.err.push(a.join(' ')))
}
afterEach(() => vi.restoreAllMocks())

const scratch = tempDir()
let files = 0
function writeJson(value: unknown): string {
  const file = path.join(scratch, `file${++files}.json`)
  fs.writeFileSync(file, JSON.stringify(value))
  return file
}

/** A project with two 200×200 photos and their boxes, as the store keeps them (pixels, top-left). */
function project(): string {
  const dir = path.join(scratch, `project${++files}`)
  const store = Store.open(dir, { create: true })
  const photo = (n: number) => ({
    path: `/photos/p${n}.jpg`,
    sha256: String(n).padStart(64, '0'),
    bytes: 1000,
    mtimeMs: 0,
    width: 200,
    height: 200,
    format: 'jpeg',
    split: 'train' as const,
  })
  store.addImages([photo(1), photo(2)])
  const [a, b] = [1, 2].map((n) => store.imageAtPath(`/photos/p${n}.jpg`)!.id)
  store.addBox({ imageId: a, classId: 1, ...exact, source: 'human' })
  store.addBox({ imageId: a, classId: 1, ...tiny, source: 'kindled', teacher: 'test', score: 0.9 })
  store.addBox({ imageId: b, classId: 1, ...huge, source: 'human' })
  // A model's prediction is not ground truth: left out.
  store.addBox({ imageId: b, classId: 1, x: 120, y: 120, w: 40, h: 40, source: 'predicted', runId: 1, score: 0.8 })
  store.close()
  return dir
}

describe('kindling anchors coverage', () => {
  it('reports a project’s labelled boxes (not predictions) against a config file', async () => {
    const dir = project()
    const store = Store.open(dir)
    expect(projectBoxes(store, ['face']).images.map((im) => im.boxes.length)).toEqual([2, 1])
    expect(projectBoxes(store, ['smile'])).toEqual({ images: [], otherClasses: 3 })
    store.close()

    capture()
    expect(await runCommand(anchorsCommand, ['coverage', '--config', writeJson(small), '--project', dir])).toBe(0)
    const text = output.out.join('\n')
    expect(text).toContain('Anchor coverage: coverage-test, 100 anchors on 100×100, 2 images')
    expect(text).toMatch(/all\s+3\s+1\s+33\.3%\s+1\.00/)

    capture()
    expect(await runCommand(anchorsCommand, ['coverage', '--config', writeJson(small), '--project', dir, '--json'])).toBe(0)
    expect(output.out).toHaveLength(1)
    expect(JSON.parse(output.out[0]).all).toEqual({ size: 'all', boxes: 3, covered: 1, share: 1 / 3, meanPositives: 1 })
  })

  it('refuses a bad config with one line naming the field', async () => {
    const dir = project()
    const bad = { ...small, featureMaps: [{ ...small.featureMaps[0], scale: 5 }] }
    capture()
    expect(await runCommand(anchorsCommand, ['coverage', '--config', writeJson(bad), '--project', dir])).toBe(1)
    expect(output.err).toHaveLength(1)
    expect(output.err[0]).toMatch(/^kindling: config .*file\d+\.json: featureMaps\.0\.scale: /)

    capture()
    expect(
      await runCommand(anchorsCommand, ['coverage', '--config', writeJson({ ...small, matcher: { pos: 0.3, neg: 0.5 } }), '--project', dir]),
    ).toBe(1)
    expect(output.err[0]).toContain('matcher.neg')

    capture()
    const notJson = path.join(scratch, 'x.json')
    fs.writeFileSync(notJson, '{ nope')
    expect(await runCommand(anchorsCommand, ['coverage', '--config', notJson, '--project', dir])).toBe(1)
    expect(output.err[0]).toMatch(/is not JSON/)
  })

  it('says what is wrong with the command line or the project', async () => {
    capture()
    expect(await runCommand(anchorsCommand, ['coverage', '--config', writeJson(small)])).toBe(2)
    expect(output.err[0]).toContain('--project DIR is required')
    capture()
    expect(await runCommand(anchorsCommand, ['coverage', '--config', writeJson(small), '--project', scratch])).toBe(1)
    expect(output.err[0]).toMatch(/is not a Kindling project/)
    capture()
    expect(await runCommand(anchorsCommand, ['nonsense'])).toBe(2)
    capture()
    expect(await runCommand(anchorsCommand, ['match', '--input', 'a.json', '--extra'])).toBe(2)
  })
})

describe('kindling anchors match', () => {
  const quarters = [
    [0, 0, 0.5, 0.5],
    [0.5, 0, 1, 0.5],
    [0, 0.5, 0.5, 1],
    [0.5, 0.5, 1, 1],
  ]

  it('prints each anchor’s box and offsets as one line of JSON', async () => {
    // The left half of the image: IoU ½ with anchors 0 (forced, the lower of a tie) and 2 (by threshold).
    const input = writeJson({ anchors: quarters, boxes: [[0, 0, 0.5, 1]], labels: [1], pos: 0.5, neg: 0.5 })
    capture()
    expect(await runCommand(anchorsCommand, ['match', '--input', input])).toBe(0)
    expect(output.out).toHaveLength(1)
    const { matches, offsets, ...rest } = JSON.parse(output.out[0])
    expect(rest).toEqual({})
    expect(matches).toEqual([0, -1, 0, -1])
    const dh = Math.round((Math.log(2) / 0.2) * 1e4) / 1e4 // 3.4657, to the four decimals printed
    expect(offsets).toEqual([
      [0, 5, 0, dh],
      [0, 0, 0, 0],
      [0, -5, 0, dh],
      [0, 0, 0, 0],
    ])
  })

  it('matches nothing to anchors when there are no boxes, and defaults the thresholds', async () => {
    capture()
    expect(await runCommand(anchorsCommand, ['match', '--input', writeJson({ anchors: quarters, boxes: [] })])).toBe(0)
    expect(JSON.parse(output.out[0]).matches).toEqual([-1, -1, -1, -1])
  })

  it('refuses bad input with one line naming the field, and changes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ anchors: quarters, boxes: [[0, 0, 1, 1]], labels: [1, 2] }, /: labels: needs one label per box/],
      [
        {
          anchors: [
            [0, 0, 1, 1],
            [0.5, 0.5, 0.5, 1],
          ],
          boxes: [],
        },
        /: anchors\.1: an anchor needs x2 > x1/,
      ],
      [{ anchors: quarters, boxes: [[0, 0, 1]] }, /: boxes\.0: /],
      [{ anchors: quarters, boxes: [], pos: 0.3, neg: 0.6 }, /: neg: neg must not exceed pos/],
      [{ anchors: quarters, boxes: [], iou: 0.5 }, /iou/],
      [{ anchors: [], boxes: [] }, /: anchors: /],
    ]
    for (const [input, message] of cases) {
      capture()
      expect(await runCommand(anchorsCommand, ['match', '--input', writeJson(input)])).toBe(1)
      expect(output.out).toEqual([])
      expect(output.err).toHaveLength(1)
      expect(output.err[0]).toMatch(message)
    }
    capture()
    expect(await runCommand(anchorsCommand, ['match'])).toBe(2)
    expect(output.err[0]).toContain('--input FILE.json is required')
  })
})
