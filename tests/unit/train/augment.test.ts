// Augmentation keeps boxes on what they framed, and the same seed gives the same plans.
import { describe, expect, it } from 'vitest'
import type { Corners } from '../../../src/shared/boxes.js'
import { augmentBoxes, flipPixels, jitterColour, mixSeed, planAugmentation, seededRandom, shuffled } from '../../../src/main/train/index.js'

const close = (actual: Corners[], expected: Corners[]) => {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((box, i) => box.forEach((v, k) => expect(v).toBeCloseTo(expected[i][k], 12)))
}

describe('augmentBoxes', () => {
  it('mirrors boxes on a horizontal flip', () => {
    const out = augmentBoxes([[0.1, 0.2, 0.3, 0.6]], [1], { flip: true, crop: [0, 0, 1, 1] })
    close(out.boxes, [[0.7, 0.2, 0.9, 0.6]])
    expect(out.labels).toEqual([1])
  })

  it('moves boxes into the crop, clips those whose centre stays in, drops those whose centre leaves', () => {
    const boxes: Corners[] = [
      [0.3, 0.3, 0.5, 0.5], // inside
      [0.1, 0.4, 0.4, 0.6], // centre x 0.25 inside the crop (0.2…0.7), clipped on the left
      [0.0, 0.0, 0.3, 0.3], // centre (0.15, 0.15): outside
      [0.6, 0.6, 0.9, 0.9], // centre (0.75, 0.75): outside
    ]
    const out = augmentBoxes(boxes, [1, 2, 3, 4], { flip: false, crop: [0.2, 0.2, 0.7, 0.7] })
    close(out.boxes, [
      [0.2, 0.2, 0.6, 0.6],
      [0, 0.4, 0.4, 0.8],
    ])
    expect(out.labels).toEqual([1, 2])
  })

  it('crops then flips, as the pixels are', () => {
    const out = augmentBoxes([[0.3, 0.3, 0.5, 0.5]], [1], { flip: true, crop: [0.2, 0.2, 0.7, 0.7] })
    close(out.boxes, [[0.4, 0.2, 0.8, 0.6]])
  })

  it('flipPixels mirrors rows, and twice is the original', () => {
    const px = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i) // 2 rows × 3 columns × RGB
    flipPixels(px, 3, 2)
    expect([...px.subarray(0, 9)]).toEqual([6, 7, 8, 3, 4, 5, 0, 1, 2])
    flipPixels(px, 3, 2)
    expect([...px]).toEqual(Array.from({ length: 18 }, (_, i) => i))
  })

  it('jitterColour applies contrast around mid-grey and brightness, clipped to 0–255', () => {
    const px = Float32Array.from([0, 128, 200, 255])
    jitterColour(px, { brightness: 10, contrast: 1.5 })
    expect([...px]).toEqual([0, 138, 246, 255]) // (200 − 128) · 1.5 + 128 + 10 = 246
  })
})

describe('seeded plans', () => {
  it('the same seed gives the same plans and order; another seed does not', () => {
    const plans = (seed: number) => Array.from({ length: 20 }, (_, i) => planAugmentation(seededRandom(mixSeed(seed, 1, i))))
    expect(plans(5)).toEqual(plans(5))
    expect(plans(5)).not.toEqual(plans(6))
    const items = Array.from({ length: 30 }, (_, i) => i)
    expect(shuffled(items, seededRandom(9))).toEqual(shuffled(items, seededRandom(9)))
    expect(shuffled(items, seededRandom(9))).not.toEqual(items)
    expect([...shuffled(items, seededRandom(9))].sort((a, b) => a - b)).toEqual(items)
  })

  it("plans stay in range: regions 0.3–4 photo sides, near the photo's aspect; some zoom out, some in; some flipped", () => {
    const plans = Array.from({ length: 1000 }, (_, i) => planAugmentation(seededRandom(mixSeed(1, i)), [[0.3, 0.2, 0.7, 0.7]]))
    for (const { crop, contrast, brightness } of plans) {
      const [w, h] = [crop[2] - crop[0], crop[3] - crop[1]]
      expect(w).toBeGreaterThanOrEqual(0.3 - 1e-9)
      expect(w).toBeLessThanOrEqual(4)
      expect(Math.max(w / h, h / w)).toBeLessThanOrEqual(1.25 + 1e-9)
      expect(Math.abs(contrast - 1)).toBeLessThanOrEqual(0.25)
      expect(Math.abs(brightness)).toBeLessThanOrEqual(32)
    }
    const side = plans.map((p) => p.crop[2] - p.crop[0])
    expect(side.filter((s) => s > 1.5).length).toBeGreaterThan(200)
    expect(side.filter((s) => s < 0.9).length).toBeGreaterThan(50)
    expect(plans.filter((p) => p.crop.join() === '0,0,1,1').length).toBeGreaterThan(100)
    const flips = plans.filter((p) => p.flip).length
    expect(flips).toBeGreaterThan(400)
    expect(flips).toBeLessThan(600)
  })

  it('never crops the face away, and zooming out teaches small faces', () => {
    const face: Corners = [0.3, 0.2, 0.7, 0.7]
    const widths = Array.from({ length: 1000 }, (_, i) => {
      const plan = planAugmentation(seededRandom(mixSeed(2, i)), [face])
      const out = augmentBoxes([face], [1], plan)
      expect(out.boxes).toHaveLength(1)
      return out.boxes[0][2] - out.boxes[0][0]
    })
    expect(widths.filter((w) => w < 0.15).length).toBeGreaterThan(50) // a quarter of its width or less
    expect(widths.filter((w) => w > 0.6).length).toBeGreaterThan(50) // and zoomed in
  })

  it('a photo without boxes may be cropped anywhere', () => {
    const plans = Array.from({ length: 200 }, (_, i) => planAugmentation(seededRandom(mixSeed(3, i))))
    expect(plans.filter((p) => p.crop[2] - p.crop[0] < 1 && p.crop[0] >= 0).length).toBeGreaterThan(20)
  })
})
