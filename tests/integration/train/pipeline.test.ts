// The input pipeline on real photos: the detector's input size and value range, plans applied repeatably, and an
// unreadable photo skipped with its reason while the rest of its batch goes on.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { batches, flipPixels, IDENTITY_PLAN, loadSample, type SkippedPhoto, type TrainImage } from '../../../src/main/train/index.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

const input = { width: 320, height: 240 }
const image = (file: string, id = 1): TrainImage => ({
  id,
  path: file,
  sha256: String(id),
  width: 1,
  height: 1,
  boxes: [[0.2, 0.2, 0.4, 0.5]],
  labels: [1],
})
const photo = path.join(dlibFaces, '2008_001009.jpg')

describe('loadSample', () => {
  it('gives float RGB 0–255 at the input size; a flip plan mirrors pixels and boxes; plans are repeatable', async () => {
    const plain = await loadSample(image(photo), input)
    expect(plain.pixels).toHaveLength(320 * 240 * 3)
    const max = plain.pixels.reduce((m, v) => Math.max(m, v), 0)
    expect(max).toBeLessThanOrEqual(255)
    expect(max).toBeGreaterThan(100)
    expect(plain.pixels.every((v) => v >= 0)).toBe(true)
    expect(plain.boxes).toEqual([[0.2, 0.2, 0.4, 0.5]])

    const flipped = await loadSample(image(photo), input, { ...IDENTITY_PLAN, flip: true })
    const mirrored = Float32Array.from(plain.pixels)
    flipPixels(mirrored, 320, 240)
    expect(flipped.pixels).toEqual(mirrored)
    expect(flipped.boxes[0][0]).toBeCloseTo(0.6, 12)
    expect(flipped.boxes[0][2]).toBeCloseTo(0.8, 12)

    const plan = { flip: true, crop: [0.1, 0.1, 0.8, 0.9] as [number, number, number, number], brightness: 12, contrast: 0.9 }
    const a = await loadSample(image(photo), input, plan)
    const b = await loadSample(image(photo), input, plan)
    expect(a.pixels).toEqual(b.pixels)
    expect(a.pixels).toHaveLength(320 * 240 * 3)
    expect(a.boxes).toEqual(b.boxes)
  })
})

describe('batches', () => {
  it('skips an unreadable photo with its reason; the batch goes on with the others', async () => {
    const truncated = path.join(tempDir(), 'truncated.jpg')
    const whole = fs.readFileSync(photo)
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 3)))
    const skipped: SkippedPhoto[] = []
    const images = [image(photo, 1), image(truncated, 2), image(path.join(dlibFaces, 'bald_guys.jpg'), 3)]
    const out = []
    for await (const b of batches(
      images,
      2,
      input,
      () => IDENTITY_PLAN,
      (s) => skipped.push(s),
    ))
      out.push(b)
    expect(out.map((b) => [b.index, b.samples.map((s) => s.image.id)])).toEqual([
      [0, [1]],
      [1, [3]],
    ])
    expect(skipped).toHaveLength(1)
    expect(skipped[0].path).toBe(truncated)
    expect(skipped[0].reason).toMatch(/^cannot read the photo: /)
  })
})
