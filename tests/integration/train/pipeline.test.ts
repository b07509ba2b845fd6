// The input pipeline on real photos: the detector's input size and value range, plans applied repeatably, and an
// unreadable photo skipped with its reason while the rest of its batch goes on.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import sharp from 'sharp'
import {
  batches,
  FILL_COLOUR,
  flipPixels,
  IDENTITY_PLAN,
  loadSample,
  type SkippedPhoto,
  type TrainImage,
} from '../../../src/main/train/index.js'
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

  it('a zoom-out shows the whole photo smaller on the fill colour, where its boxes say it is; a zoom-in enlarges', async () => {
    // A photo of known pixels: left half red, right half blue, 200×150.
    const file = path.join(tempDir(), 'halves.png')
    const raw = Buffer.alloc(200 * 150 * 3)
    for (let i = 0; i < 200 * 150; i++) raw.set(i % 200 < 100 ? [255, 0, 0] : [0, 0, 255], i * 3)
    await sharp(raw, { raw: { width: 200, height: 150, channels: 3 } })
      .png()
      .toFile(file)
    const at = (px: Float32Array, x: number, y: number) => [...px.subarray((y * 320 + x) * 3, (y * 320 + x) * 3 + 3)]
    const halves: TrainImage = { ...image(file), boxes: [[0, 0, 0.5, 1]] }

    // Twice as wide and high, the photo in the lower right quarter.
    const out = await loadSample(halves, input, { ...IDENTITY_PLAN, crop: [-1, -1, 1, 1] })
    expect(out.boxes).toEqual([[0.5, 0.5, 0.75, 1]])
    expect(at(out.pixels, 10, 10)).toEqual([...FILL_COLOUR])
    expect(at(out.pixels, 150, 200)).toEqual([...FILL_COLOUR])
    expect(at(out.pixels, 200, 200)).toEqual([255, 0, 0])
    expect(at(out.pixels, 300, 200)).toEqual([0, 0, 255])

    // The middle half of the photo, enlarged: the red–blue edge at the input's centre.
    const zoomed = await loadSample(halves, input, { ...IDENTITY_PLAN, crop: [0.25, 0.25, 0.75, 0.75] })
    expect(zoomed.boxes).toEqual([[0, 0, 0.5, 1]])
    expect(at(zoomed.pixels, 100, 120)).toEqual([255, 0, 0])
    expect(at(zoomed.pixels, 220, 120)).toEqual([0, 0, 255])
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
