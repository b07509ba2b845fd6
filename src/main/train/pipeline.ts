// From photo files to batches the detector takes: decoded with sharp (EXIF-rotated, as the store's boxes are in the
// displayed photo's pixels), stretched to the detector's input size (boxes are normalised, so stretching moves none),
// augmented by a plan, as float32 RGB 0–255 (the model scales its input itself: detector `inputScaling`). The next batch
// is decoded (on libuv's threads, where sharp works) while the current one trains.
import sharp, { type Sharp } from 'sharp'
import type { Corners } from '../../shared/boxes.js'
import { DEFAULT_LIMITS } from '../media/index.js'
import { augmentBoxes, FILL_COLOUR, IDENTITY_PLAN, jitterColour, type AugmentPlan } from './augment.js'
import type { TrainImage } from './dataset.js'

export interface InputSize {
  width: number
  height: number
}

export interface Sample {
  image: TrainImage
  /** [height, width, 3] RGB, 0–255. */
  pixels: Float32Array
  boxes: Corners[]
  labels: number[]
  /** How the photo was augmented into `pixels`. */
  plan: AugmentPlan
}

export interface Batch {
  samples: Sample[]
}

/** A photo that could not be read (moved, corrupt): its batch goes on without it. */
export interface SkippedPhoto {
  path: string
  reason: string
}

/** Mirror an [height, width, 3] image left–right in place. */
export function flipPixels(pixels: Float32Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * width * 3
    for (let x = 0; x < width >> 1; x++) {
      const a = row + x * 3
      const b = row + (width - 1 - x) * 3
      for (let c = 0; c < 3; c++) {
        const t = pixels[a + c]
        pixels[a + c] = pixels[b + c]
        pixels[b + c] = t
      }
    }
  }
}

const rgb = (s: Sharp) => s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })

/** One photo as the detector's input, with its boxes moved by the plan. */
export async function loadSample(image: TrainImage, input: InputSize, plan: AugmentPlan = IDENTITY_PLAN): Promise<Sample> {
  const [x1, y1, x2, y2] = plan.crop
  // The photo is resized once, to the scale at which the plan's region fills the input (larger to zoom in, smaller to
  // zoom out), and the region copied out of it onto the fill colour: one resampling, whatever the zoom.
  const width = Math.max(1, Math.round(input.width / (x2 - x1)))
  const height = Math.max(1, Math.round(input.height / (y2 - y1)))
  const { data, info } = await rgb(
    sharp(image.path, { failOn: 'truncated', limitInputPixels: DEFAULT_LIMITS.maxPixels }).rotate().resize({ width, height, fit: 'fill' }),
  )
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`)
  }
  const pixels =
    width === input.width && height === input.height && x1 === 0 && y1 === 0
      ? Float32Array.from(data)
      : frame(data, plan.crop, width, height, input)
  if (plan.flip) flipPixels(pixels, input.width, input.height)
  jitterColour(pixels, plan)
  const moved = augmentBoxes(image.boxes, image.labels, plan)
  return { image, pixels, ...moved, plan }
}

/** The input's window onto a resized photo (`width` × `height` RGB) at the region's offset; outside the photo, FILL_COLOUR. */
function frame(data: Buffer, region: readonly number[], width: number, height: number, input: InputSize): Float32Array {
  const out = new Float32Array(input.width * input.height * 3)
  for (let i = 0; i < out.length; i += 3) out.set(FILL_COLOUR, i)
  // The photo's column and row at the input's top-left corner (negative when zoomed out).
  const left = Math.round(region[0] * width)
  const top = Math.round(region[1] * height)
  const from = Math.max(0, -left)
  const to = Math.min(input.width, width - left)
  if (to <= from) return out
  for (let y = Math.max(0, -top); y < Math.min(input.height, height - top); y++) {
    const source = ((y + top) * width + left + from) * 3
    out.set(data.subarray(source, source + (to - from) * 3), (y * input.width + from) * 3)
  }
  return out
}

/**
 * Batches of `images` in order, `batchSize` at a time, each photo with its plan; the next batch is being decoded while
 * the caller trains on this one. A photo that fails to decode is reported through `onSkip` and left out.
 */
export async function* batches(
  images: readonly TrainImage[],
  batchSize: number,
  input: InputSize,
  planFor: (image: TrainImage, indexInEpoch: number) => AugmentPlan,
  onSkip: (skipped: SkippedPhoto) => void,
  firstBatch = 0,
): AsyncGenerator<Batch & { index: number }> {
  const count = Math.ceil(images.length / batchSize)
  const load = (b: number): Promise<Batch & { index: number }> => {
    const slice = images.slice(b * batchSize, (b + 1) * batchSize)
    return Promise.all(
      slice.map((image, i) =>
        loadSample(image, input, planFor(image, b * batchSize + i)).catch((error: unknown) => {
          onSkip({ path: image.path, reason: `cannot read the photo: ${error instanceof Error ? error.message : String(error)}` })
          return null
        }),
      ),
    ).then((samples) => ({ index: b, samples: samples.filter((s): s is Sample => s !== null) }))
  }
  let next = firstBatch < count ? load(firstBatch) : null
  for (let b = firstBatch; b < count; b++) {
    const current = await next!
    next = b + 1 < count ? load(b + 1) : null
    yield current
  }
  // An early return (cancel, failure) leaves a prefetch in flight; let it settle quietly.
  void next?.catch(() => {})
}
