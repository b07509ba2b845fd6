// Augmentation as a plan drawn from a seeded generator, then applied: the plan (flip, crop, colour jitter) is pure data,
// so the box math is unit-tested without pixels, and the same seed, epoch and photo always get the same plan — a run is
// repeatable, and a resumed epoch sees what it would have seen.
import type { Corners } from '../../shared/boxes.js'

/** mulberry32: a small, fast generator, plenty for shuffling and augmentation. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One seed from several numbers (run seed, epoch, photo): different streams that do not overlap in practice. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0
  }
  return h >>> 0
}

/** Fisher–Yates with the given generator; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

export interface AugmentPlan {
  flip: boolean
  /** The region of the photo kept, normalised [x1, y1, x2, y2]; [0, 0, 1, 1] keeps it all. */
  crop: Corners
  /** Pixel value v becomes (v − 128) · contrast + 128 + brightness, clipped to 0–255. */
  brightness: number
  contrast: number
}

export const IDENTITY_PLAN: AugmentPlan = { flip: false, crop: [0, 0, 1, 1], brightness: 0, contrast: 1 }

/** The ranges: mild enough that a face stays a face, wide enough to stop a small dataset being memorised. */
export const AUGMENT_RANGES = {
  /** The crop keeps this share of each side, at least (a zoom of up to 1 / 0.6 ≈ 1.7×). */
  minCropSide: 0.6,
  /** Half of the time the whole photo is kept, so the model also sees photos as they are. */
  cropChance: 0.5,
  brightness: 32,
  contrast: 0.25,
}

export function planAugmentation(random: () => number): AugmentPlan {
  const flip = random() < 0.5
  let crop: Corners = [0, 0, 1, 1]
  if (random() < AUGMENT_RANGES.cropChance) {
    const w = AUGMENT_RANGES.minCropSide + random() * (1 - AUGMENT_RANGES.minCropSide)
    const h = AUGMENT_RANGES.minCropSide + random() * (1 - AUGMENT_RANGES.minCropSide)
    const x = random() * (1 - w)
    const y = random() * (1 - h)
    crop = [x, y, x + w, y + h]
  }
  const brightness = (random() * 2 - 1) * AUGMENT_RANGES.brightness
  const contrast = 1 + (random() * 2 - 1) * AUGMENT_RANGES.contrast
  return { flip, crop, brightness, contrast }
}

/**
 * The boxes after the plan: into the crop's frame (a box whose centre leaves the crop is dropped; one whose centre
 * stays is clipped to it), then mirrored if flipped. Colour jitter moves no box.
 */
export function augmentBoxes(
  boxes: readonly Corners[],
  labels: readonly number[],
  plan: Pick<AugmentPlan, 'flip' | 'crop'>,
): { boxes: Corners[]; labels: number[] } {
  const [cx1, cy1, cx2, cy2] = plan.crop
  const cw = cx2 - cx1
  const ch = cy2 - cy1
  const out: { boxes: Corners[]; labels: number[] } = { boxes: [], labels: [] }
  boxes.forEach((b, i) => {
    const mx = (b[0] + b[2]) / 2
    const my = (b[1] + b[3]) / 2
    if (mx < cx1 || mx > cx2 || my < cy1 || my > cy2) return
    const clip = (v: number) => Math.min(1, Math.max(0, v))
    let x1 = clip((b[0] - cx1) / cw)
    let x2 = clip((b[2] - cx1) / cw)
    const y1 = clip((b[1] - cy1) / ch)
    const y2 = clip((b[3] - cy1) / ch)
    if (plan.flip) [x1, x2] = [1 - x2, 1 - x1]
    if (x2 <= x1 || y2 <= y1) return
    out.boxes.push([x1, y1, x2, y2])
    out.labels.push(labels[i])
  })
  return out
}

/** Brightness and contrast on RGB pixels 0–255, in place (float32, as the model takes them). */
export function jitterColour(pixels: Float32Array, plan: Pick<AugmentPlan, 'brightness' | 'contrast'>): void {
  const { brightness, contrast } = plan
  if (brightness === 0 && contrast === 1) return
  for (let i = 0; i < pixels.length; i++) {
    const v = (pixels[i] - 128) * contrast + 128 + brightness
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
}
