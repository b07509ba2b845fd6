// A fine-tune's frozen backbone on the data-parallel replicas a run trains with (train/parallel.ts over the engine's
// worker threads): while frozen, every replica leaves the backbone — its batch norms' moving statistics included —
// bit-identical and still trains the head; unfrozen, the backbone learns, with Adam's moments still paired with the
// right weights (TF.js keeps them by position, which a shrinking update list would shift).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectorConfigInput, FeatureMap } from '../../../src/main/detector/config.js'
import { buildDetector, detectorPart } from '../../../src/main/detector/model.js'
import { DetectorTrainer, type ImageLabels } from '../../../src/main/detector/training.js'
import { initEngine, ScheduledAdam } from '../../../src/main/engine/index.js'
import { withSeededRandom } from '../../../src/main/engine/seeded.js'
import { ParallelDetectorTrainer } from '../../../src/main/train/parallel.js'
import { syntheticShapes } from '../../unit/detector/synthetic.js'

const SIZE = 64
const map = (size: [number, number]): FeatureMap => ({ size, scale: 0.3, aspectRatios: [1], extraScale: true })
/** MobileNet V1 at width 0.25 (batch norms in the backbone), two classes. */
const config: DetectorConfigInput = {
  name: 'frozen-backbone',
  input: { width: SIZE, height: SIZE },
  classes: ['face', 'smiling-face'],
  backbone: { name: 'mobilenet-v1', alpha: 0.25 },
  featureMaps: [map([8, 8]), map([4, 4]), map([2, 2])],
  matcher: { pos: 0.5, neg: 0.4 },
  boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
  loss: { name: 'ssd' },
  decoding: {},
}
const data = syntheticShapes(6, SIZE, 9)
const labels: ImageLabels[] = data.boxes.map((boxes, i) => ({ boxes, labels: boxes.map(() => 1 + (i % 2)) }))
const batch = { data: data.pixels, shape: [6, SIZE, SIZE, 3] }

let local: DetectorTrainer
let parallel: ParallelDetectorTrainer
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  const detector = withSeededRandom(3, () => buildDetector(config))
  local = new DetectorTrainer(detector, new ScheduledAdam(0.01))
  parallel = await ParallelDetectorTrainer.start(local, { workers: 2, optimizer: { name: 'adam', learningRate: 0.01 }, backend: 'wasm' })
}, 60_000)
afterAll(async () => {
  await parallel?.close()
  local.dispose()
  local.optimizer.dispose()
  local.detector.model.dispose()
})

describe('a frozen backbone on 2 replicas', () => {
  it('stays bit-identical while frozen and learns once unfrozen', { timeout: 120_000 }, async () => {
    const { model } = local.detector
    const backbone = model.layers.filter((l) => detectorPart(l.name) === 'backbone' && l.weights.length > 0)
    const names = new Set(backbone.flatMap((l) => l.weights.map((w) => w.name)))
    const snapshot = () => model.weights.filter((w) => names.has(w.name)).map((w) => Array.from(w.read().dataSync()))
    const head = () => Array.from(model.getLayer('head0_class').getWeights()[0].dataSync())
    const before = snapshot()
    const headBefore = head()

    await parallel.freeze(backbone.map((l) => l.name))
    for (let i = 0; i < 2; i++) await parallel.step(batch, labels, 0.01)
    await parallel.syncWeights()
    expect(snapshot()).toEqual(before)
    expect(head()).not.toEqual(headBefore)

    await parallel.freeze([])
    for (let i = 0; i < 2; i++) await parallel.step(batch, labels, 0.01)
    await parallel.syncWeights()
    const after = snapshot()
    expect(after.filter((w, i) => w.join() !== before[i].join()).length).toBe(before.length)
    for (const w of after) expect(w.every(Number.isFinite)).toBe(true)
  })
})
