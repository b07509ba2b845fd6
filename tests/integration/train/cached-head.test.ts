// A fine-tune's head trained on its frozen feature extractor's kept maps (train/cached-head.ts) learns what it would
// learn through the whole network with the extractor frozen — up to the maps being kept as bytes —, computes a view's
// maps once, keeps a mirror as a view of its own and no cropped or recoloured one, and never changes the extractor.
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Corners } from '../../../src/shared/boxes.js'
import type { DetectorConfigInput, FeatureMap } from '../../../src/main/detector/config.js'
import { buildDetector, type Detector, detectorPart } from '../../../src/main/detector/model.js'
import { DetectorTrainer } from '../../../src/main/detector/training.js'
import { initEngine, ScheduledAdam } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { IDENTITY_PLAN } from '../../../src/main/train/augment.js'
import { CachedHeadTrainer } from '../../../src/main/train/cached-head.js'
import type { TrainImage } from '../../../src/main/train/dataset.js'
import type { Batch } from '../../../src/main/train/pipeline.js'
import { batchTensor } from '../../../src/main/train/score.js'
import { syntheticShapes } from '../../unit/detector/synthetic.js'

const SIZE = 64
const RATE = 0.03
const map = (size: [number, number]): FeatureMap => ({ size, scale: 0.3, aspectRatios: [1], extraScale: true })
/** MobileNet V1 at width 0.25, two classes, the coarser maps' class predictors reading the finest map too. */
const config: DetectorConfigInput = {
  name: 'cached-head',
  input: { width: SIZE, height: SIZE },
  classes: ['face', 'smiling-face'],
  backbone: { name: 'mobilenet-v1', alpha: 0.25 },
  featureMaps: [map([8, 8]), map([4, 4]), map([2, 2])],
  fineClassFeatures: true,
  matcher: { pos: 0.5, neg: 0.4 },
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
  loss: { name: 'ssd' },
  decoding: {},
}
const data = syntheticShapes(6, SIZE, 9)
const image = (i: number): TrainImage => ({
  id: i + 1,
  path: `/synthetic/${i}.png`,
  sha256: '',
  width: SIZE,
  height: SIZE,
  boxes: data.boxes[i] as Corners[],
  labels: data.boxes[i].map(() => 1 + (i % 2)),
})
const batch: Batch = {
  samples: data.boxes.map((boxes, i) => ({
    image: image(i),
    pixels: data.pixels.slice(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3),
    boxes: boxes as Corners[],
    labels: image(i).labels,
    plan: IDENTITY_PLAN,
  })),
}
const labels = batch.samples.map((s) => ({ boxes: s.boxes, labels: s.labels }))
const extractorLayers = (d: Detector) => d.model.layers.filter((l) => detectorPart(l.name) !== 'head' && l.weights.length > 0)
const weightsOf = (d: Detector, part: 'head' | 'extractor') =>
  d.model.layers
    .filter((l) => (detectorPart(l.name) === 'head') === (part === 'head'))
    .flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())))

let through: { detector: Detector; trainer: DetectorTrainer }
let kept: { detector: Detector; trainer: CachedHeadTrainer }
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  const a = withSeededRandom(3, () => buildDetector(config))
  through = { detector: a, trainer: new DetectorTrainer(a, new ScheduledAdam(RATE)) }
  through.trainer.freeze(extractorLayers(a).map((l) => l.name))
  const b = withSeededRandom(3, () => buildDetector(config))
  kept = { detector: b, trainer: await CachedHeadTrainer.start(b, RATE) }
}, 60_000)
afterAll(async () => {
  through.trainer.dispose()
  through.trainer.optimizer.dispose()
  await kept.trainer.dispose()
  for (const d of [through.detector, kept.detector]) d.model.dispose()
})

describe('a head trained on kept maps', () => {
  it('follows training through the frozen network, computing each view once', { timeout: 120_000 }, async () => {
    const x = batchTensor(batch, config.input)
    const logits = (d: Detector) => {
      const [classLogits, boxOffsets] = d.model.predict(x) as tf.Tensor[]
      const values = Array.from(classLogits.dataSync())
      tf.dispose([classLogits, boxOffsets])
      return values
    }
    // The extractor runs on ONNX Runtime, as in a run.
    expect(kept.trainer.extractor.runtime).toBe('onnx')
    const start = logits(kept.detector)
    const extractorBefore = weightsOf(kept.detector, 'extractor')
    const losses: [number, number][] = []
    for (let i = 0; i < 8; i++) losses.push([through.trainer.step(x, labels).loss, (await kept.trainer.step(batch, RATE)).loss])
    for (const [a, b] of losses) expect(Math.abs(a - b) / a).toBeLessThan(0.01)
    // The first pass computed the six views, the next seven read them.
    expect({ size: kept.trainer.cache.size, hits: kept.trainer.cache.hits }).toEqual({ size: 6, hits: 42 })

    // Copied into the detector, the head predicts as the one trained through the network does: it moved far from
    // where it started, and the two differ by a small part of that.
    await kept.trainer.copyInto(kept.detector.model)
    expect(weightsOf(kept.detector, 'extractor')).toEqual(extractorBefore)
    const ours = logits(kept.detector)
    const theirs = logits(through.detector)
    x.dispose()
    const moved = Math.max(...ours.map((v, i) => Math.abs(v - start[i])))
    const apart = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])))
    expect(moved).toBeGreaterThan(0.05)
    expect(apart).toBeLessThan(moved / 100)
  })

  it('keeps a mirrored view apart and a cropped or recoloured one not at all', { timeout: 60_000 }, async () => {
    const one = (plan: typeof IDENTITY_PLAN): Batch => ({ samples: [{ ...batch.samples[0], plan }] })
    const before = kept.trainer.cache.size
    await kept.trainer.step(one({ ...IDENTITY_PLAN, flip: true }), 0.01)
    expect(kept.trainer.cache.size).toBe(before + 1)
    await kept.trainer.step(one({ ...IDENTITY_PLAN, crop: [0.1, 0.1, 0.9, 0.9] }), 0.01)
    await kept.trainer.step(one({ ...IDENTITY_PLAN, brightness: 10 }), 0.01)
    expect(kept.trainer.cache.size).toBe(before + 1)
  })

  it('with the box predictors kept, trains the class predictors alone and leaves the boxes as they were', { timeout: 120_000 }, async () => {
    const a = withSeededRandom(4, () => buildDetector(config))
    const b = withSeededRandom(4, () => buildDetector(config))
    const boxLayers = (d: Detector) => d.model.layers.filter((l) => /^head\d+_box$/.test(l.name))
    const reference = new DetectorTrainer(a, new ScheduledAdam(RATE))
    reference.freeze([...extractorLayers(a), ...boxLayers(a)].map((l) => l.name))
    const classesOnly = await CachedHeadTrainer.start(b, RATE, { keptBoxes: true })
    const boxesBefore = boxLayers(b).map((l) => l.getWeights().map((w) => Array.from(w.dataSync())))
    const classWeights = (d: Detector) => Array.from(d.model.getLayer('head1_class').getWeights()[0].dataSync())
    const classesBefore = classWeights(b)
    const x = batchTensor(batch, config.input)
    try {
      for (let i = 0; i < 4; i++) {
        const [ours, theirs] = [await classesOnly.step(batch, RATE), reference.step(x, labels)]
        expect(Math.abs(ours.loss - theirs.loss) / theirs.loss).toBeLessThan(0.01)
        // The box loss is the kept predictors' own, not left out.
        expect(ours.box).toBeGreaterThan(0)
        expect(Math.abs(ours.box - theirs.box) / theirs.box).toBeLessThan(1e-4)
      }
      await classesOnly.copyInto(b.model)
      expect(boxLayers(b).map((l) => l.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(boxesBefore)
      expect(classWeights(b)).not.toEqual(classesBefore)
    } finally {
      x.dispose()
      reference.dispose()
      reference.optimizer.dispose()
      await classesOnly.dispose()
      for (const d of [a, b]) d.model.dispose()
    }
  })

  it('trains on two replicas as on one thread', { timeout: 120_000 }, async () => {
    const one = withSeededRandom(5, () => buildDetector(config))
    const two = withSeededRandom(5, () => buildDetector(config))
    const alone = await CachedHeadTrainer.start(one, RATE, { keptBoxes: true })
    const replicated = await CachedHeadTrainer.start(two, RATE, { keptBoxes: true, workers: 2 })
    try {
      for (let i = 0; i < 3; i++) {
        const [a, b] = [await alone.step(batch, RATE), await replicated.step(batch, RATE)]
        expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-3)
      }
      await alone.copyInto(one.model)
      await replicated.copyInto(two.model)
      const weights = (d: Detector) => d.model.getLayer('head0_class').getWeights()[0].dataSync()
      const [a, b] = [weights(one), weights(two)]
      expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-3)
    } finally {
      await alone.dispose()
      await replicated.dispose()
      for (const d of [one, two]) d.model.dispose()
    }
  })
})
