// The anchor matcher at training scale: 32 images × SSD300's 8,732 anchors × 20 boxes each. The tensor matcher
// (median of repeated runs, on the engine's backend — wasm here) against the nested-loop oracle of the tests, and
// against one alexnet-ssd-300 training step at batch 32, which it must not slow down by more than a few percent.
import * as tf from '@tensorflow/tfjs-core'
import { ssd300Anchors } from '../../src/main/detector/anchors.js'
import { AnchorMatcher, buildDetector, DetectorTrainer, padGroundTruth, preset } from '../../src/main/detector/index.js'
import { initEngine } from '../../src/main/engine/index.js'
import type { Corners } from '../../src/shared/boxes.js'
import { rng } from '../unit/engine/parity.js'
import { cornersOf, matchImage, type OracleImage } from '../unit/detector/oracle.js'
import { round, table, timeMedian } from './util.js'

const IMAGES = 32
const BOXES = 20
const OPTIONS = { pos: 0.5, neg: 0.4 }

/** Faces of 3–50 % of the frame, a little taller than wide, anywhere (some cut by the edge). */
function randomImages(seed: number): OracleImage[] {
  const random = rng(seed)
  return Array.from({ length: IMAGES }, () => {
    const boxes = Array.from({ length: BOXES }, () => {
      const w = 0.03 + random() * 0.47
      const h = w * (1 + random() * 0.3)
      const x = random() * (1.1 - w) - 0.05
      const y = random() * (1.1 - h) - 0.05
      return [x, y, x + w, y + h].map(Math.fround) as unknown as Corners
    })
    return { boxes, labels: boxes.map(() => 1) }
  })
}

export default async function matcherBench(args: string[]) {
  const skipTrainStep = args.includes('--no-train-step')
  const engine = await initEngine()
  const anchors = ssd300Anchors()
  const list = cornersOf(anchors.boxes)
  const images = randomImages(1)
  const matcher = new AnchorMatcher(anchors, OPTIONS)
  const gt = padGroundTruth(images)

  // The two must agree on this batch before their times mean anything.
  const result = matcher.match(gt)
  const matches = result.matches.arraySync() as number[][]
  tf.dispose(Object.values(result))
  images.forEach((image, b) => {
    const want = matchImage(list, image, OPTIONS).matches
    const wrong = want.findIndex((m, a) => m !== matches[b][a])
    if (wrong >= 0) throw new Error(`image ${b}, anchor ${wrong}: matcher ${matches[b][wrong]}, oracle ${want[wrong]}`)
  })
  const positives = matches.flat().filter((m) => m >= 0).length

  const vectorizedMs = await timeMedian(() => tf.dispose(Object.values(matcher.match(gt))), 40, 5)
  const naiveMs = await timeMedian(() => images.forEach((image) => matchImage(list, image, OPTIONS)), 5, 1)
  // The least any tensor-op matcher does: write the [B, M, A] IoU tensor once. One multiply of two such tensors is that
  // one pass (wasm computes at the call), so it bounds how fast a matcher built from tensor ops can be on this backend.
  const [x, y] = [1, 2].map((seed) => tf.randomUniform([IMAGES * BOXES, anchors.count], 0, 1, 'float32', seed))
  const onePassMs = await timeMedian(() => tf.dispose(tf.mul(x, y)), 40, 5)
  tf.dispose([x, y])
  tf.dispose(Object.values(gt))
  matcher.dispose()

  const trainStepMs = skipTrainStep ? null : await trainStep(images)
  const rows: Record<string, string | number>[] = [
    { what: `tensor matcher (${engine.name})`, 'median ms': vectorizedMs },
    { what: 'nested-loop oracle', 'median ms': naiveMs },
    { what: 'one elementwise pass over the IoU tensor', 'median ms': onePassMs },
    { what: 'alexnet-ssd-300 training step, batch 32', 'median ms': trainStepMs ?? 'n/a' },
  ]
  console.log(`${IMAGES} images × ${anchors.count} anchors × ${BOXES} boxes (${positives} positive anchors)\n`)
  console.log(table(rows))
  return {
    anchors: anchors.count,
    vectorizedMs: round(vectorizedMs),
    naiveMs: round(naiveMs),
    speedup: round(naiveMs / vectorizedMs, 1),
    onePassMs: round(onePassMs),
    trainStepMs: trainStepMs === null ? null : round(trainStepMs),
    shareOfStep: trainStepMs === null ? null : round(vectorizedMs / trainStepMs, 4),
  }
}

/** One alexnet-ssd-300 training step at batch 32 (median of 3 after a warm-up), through the detector's public surface. */
async function trainStep(images: OracleImage[]): Promise<number> {
  const config = preset('alexnet-ssd-300')
  const built = buildDetector(config)
  const trainer = new DetectorTrainer(built, tf.train.sgd(1e-3))
  const pixels = tf.randomUniform([IMAGES, config.input.height, config.input.width, 3], 0, 255, 'float32', 1) as tf.Tensor4D
  const labels = images.map((im) => ({ boxes: im.boxes, labels: im.labels }))
  try {
    return await timeMedian(() => trainer.step(pixels, labels), 3, 1)
  } finally {
    pixels.dispose()
    trainer.dispose()
    built.model.dispose()
  }
}
