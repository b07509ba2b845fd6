// A small synthetic detection set for end-to-end checks: bright filled squares and discs drawn on uniform noise,
// 1–2 per image, with their exact boxes. Seeded, so every run trains on the same pixels.
import type { Corners } from '../../../src/shared/boxes.js'

export interface SyntheticSet {
  /** [n, size, size, 3] pixels 0–255, row-major, as the detector's input expects. */
  pixels: Float32Array
  /** Per image, boxes in normalised corners, and their class (1-based; one class: "shape"). */
  boxes: Corners[][]
  size: number
}

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

export function syntheticShapes(n: number, size: number, seed = 1): SyntheticSet {
  const random = rng(seed)
  const pixels = new Float32Array(n * size * size * 3)
  const boxes: Corners[][] = []
  for (let i = 0; i < n; i++) {
    const base = i * size * size * 3
    for (let p = 0; p < size * size * 3; p++) pixels[base + p] = random() * 160
    const count = 1 + Math.floor(random() * 2)
    const placed: Corners[] = []
    for (let attempt = 0; placed.length < count && attempt < 50; attempt++) {
      const side = Math.round(size * (0.25 + random() * 0.3))
      const x = Math.floor(random() * (size - side))
      const y = Math.floor(random() * (size - side))
      const box: Corners = [x / size, y / size, (x + side) / size, (y + side) / size]
      // Keep shapes apart so every box is a separate, fully visible object.
      if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue
      placed.push(box)
      const disc = random() < 0.5
      const colour = [200 + random() * 55, 200 + random() * 55, 200 + random() * 55]
      const r = side / 2
      for (let yy = y; yy < y + side; yy++) {
        for (let xx = x; xx < x + side; xx++) {
          if (disc && (xx + 0.5 - x - r) ** 2 + (yy + 0.5 - y - r) ** 2 > r * r) continue
          const o = base + (yy * size + xx) * 3
          pixels[o] = colour[0]
          pixels[o + 1] = colour[1]
          pixels[o + 2] = colour[2]
        }
      }
    }
    boxes.push(placed)
  }
  return { pixels, boxes, size }
}
