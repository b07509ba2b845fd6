// Augmentation as a plan drawn from a seeded generator, then applied: the plan (zoom, flip, colour jitter) is pure data,
// so the box math is unit-tested without pixels, and the same seed, epoch and photo always get the same plan — a run is
// repeatable, and a resumed epoch sees what it would have seen.
import { type Corners, iou } from '../../shared/boxes.js'

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
  /**
   * The region of the photo the input shows, normalised [x1, y1, x2, y2]: [0, 0, 1, 1] is the photo as it is, a region
   * inside it zooms in (a crop), one reaching past its edges zooms out (the photo smaller, on a canvas of FILL_COLOUR).
   */
  crop: Corners
  /** Pixel value v becomes (v − 128) · contrast + 128 + brightness, clipped to 0–255. */
  brightness: number
  contrast: number
}

export const IDENTITY_PLAN: AugmentPlan = { flip: false, crop: [0, 0, 1, 1], brightness: 0, contrast: 1 }

/** The canvas around a zoomed-out photo: the mean RGB of ImageNet photos (SSD's fill), near zero once normalised. */
export const FILL_COLOUR = [124, 116, 104] as const

/**
 * SSD's photometric and geometric augmentation (Liu et al. 2016, §3.6), sized for faces. Zooming out is what teaches a
 * detector trained on portraits (one large face a photo, as GENKI's and most kindled folders are) the small faces a
 * robot's camera sees; the overlap-constrained crops zoom in on faces and cut some at the border; neither stretches a
 * face more than a camera's frame does.
 */
export const AUGMENT_RANGES = {
  /** Half of the photos are zoomed out, onto a canvas up to 4× as wide and high (SSD's 1–4×). */
  expandChance: 0.5,
  maxExpand: 4,
  /** Half are cropped (after any zoom-out): a region at least 0.3 of the canvas a side, … */
  cropChance: 0.5,
  minCropSide: 0.3,
  /** … its sides within this factor of each other in normalised units (1 keeps the photo's aspect) … */
  maxCropAspect: 1.25,
  /** … holding the centre of a box it overlaps by at least one of these IoUs, drawn per photo (SSD's set). */
  cropMinIous: [0.1, 0.3, 0.5, 0.7, 0.9],
  /** Crops drawn before giving up and keeping the whole canvas. */
  cropTrials: 50,
  brightness: 32,
  contrast: 0.25,
}

/** A crop of `canvas` that holds the centre of a box overlapping it by ≥ minIou, or null after cropTrials tries. */
function constrainedCrop(canvas: Corners, boxes: readonly Corners[], minIou: number, random: () => number): Corners | null {
  const [cx1, cy1, cx2, cy2] = canvas
  const { minCropSide, maxCropAspect, cropTrials } = AUGMENT_RANGES
  for (let trial = 0; trial < cropTrials; trial++) {
    const w = minCropSide + random() * (1 - minCropSide)
    const h = minCropSide + random() * (1 - minCropSide)
    const x = random() * (1 - w)
    const y = random() * (1 - h)
    if (w / h > maxCropAspect || h / w > maxCropAspect) continue
    const crop: Corners = [cx1 + x * (cx2 - cx1), cy1 + y * (cy2 - cy1), cx1 + (x + w) * (cx2 - cx1), cy1 + (y + h) * (cy2 - cy1)]
    // A photo without faces has nothing to keep in view: any crop is a fair negative.
    if (boxes.length === 0) return crop
    const holds = boxes.some((b) => {
      const mx = (b[0] + b[2]) / 2
      const my = (b[1] + b[3]) / 2
      return mx >= crop[0] && mx <= crop[2] && my >= crop[1] && my <= crop[3] && iou(b, crop) >= minIou
    })
    if (holds) return crop
  }
  return null
}

/** A plan for a photo with these (normalised) boxes: zoom out or not, crop or not, flip or not, colour jitter. */
export function planAugmentation(random: () => number, boxes: readonly Corners[] = []): AugmentPlan {
  const flip = random() < 0.5
  let crop: Corners = [0, 0, 1, 1]
  if (random() < AUGMENT_RANGES.expandChance) {
    const ratio = 1 + random() * (AUGMENT_RANGES.maxExpand - 1)
    const left = random() * (ratio - 1)
    const top = random() * (ratio - 1)
    crop = [-left, -top, ratio - left, ratio - top]
  }
  if (random() < AUGMENT_RANGES.cropChance) {
    const { cropMinIous } = AUGMENT_RANGES
    const minIou = cropMinIous[Math.floor(random() * cropMinIous.length)]
    crop = constrainedCrop(crop, boxes, minIou, random) ?? crop
  }
  const brightness = (random() * 2 - 1) * AUGMENT_RANGES.brightness
  const contrast = 1 + (random() * 2 - 1) * AUGMENT_RANGES.contrast
  return { flip, crop, brightness, contrast }
}

/** A classifier's zoom: the photo shown from 0.9× to 1.1× its size, shifted up to 5 % of a side (see below). */
export const CLASSIFIER_RANGES = { maxZoom: 0.1, maxShift: 0.05 }

/**
 * A whole-image classifier's augmentation: a flip, the detector's colour jitter and a mild zoom and shift. No crop
 * cuts the face away (a photo's tag is about what is in it, and a crop could take that out); zooming out leaves at most a
 * thin border of fill colour.
 */
export function planClassifierAugmentation(random: () => number): AugmentPlan {
  const flip = random() < 0.5
  const side = 1 + (random() * 2 - 1) * CLASSIFIER_RANGES.maxZoom
  const dx = (random() * 2 - 1) * CLASSIFIER_RANGES.maxShift
  const dy = (random() * 2 - 1) * CLASSIFIER_RANGES.maxShift
  const x1 = (1 - side) / 2 + dx
  const y1 = (1 - side) / 2 + dy
  const brightness = (random() * 2 - 1) * AUGMENT_RANGES.brightness
  const contrast = 1 + (random() * 2 - 1) * AUGMENT_RANGES.contrast
  return { flip, crop: [x1, y1, x1 + side, y1 + side], brightness, contrast }
}

/**
 * The boxes after the plan: into the region's frame (a box whose centre leaves the region is dropped; one whose centre
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
