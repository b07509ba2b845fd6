// A fine-tune whose feature extractor (backbone and extra layers) is frozen trains only its head, so the extractor's
// maps of a photo are the same every time it is seen: they are computed once per view (the photo, or its mirror),
// kept (feature-cache.ts), and the head trains on them alone — many passes in the minutes a pass through the whole
// network took. The maps are computed on ONNX Runtime with every core (the extractor converted once: its weights do
// not change), or on TF.js where ONNX Runtime does not load. The head is a model of its own (buildHead) with the
// detector's head weights, trained on the data-parallel replicas when there are cores for them, and copied back into
// the detector for each checkpoint. When the fine-tune's boxes are all of classes its parent learnt (a new class made
// from an attribute), the box predictors are kept as well: their offsets are kept with the maps and only the class
// predictors train, at about half the cost of a step. While the head trains so, a photo's augmentation is a mirror or
// nothing: a crop or a colour change would make every view new.
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { buildHead, copyLayerWeights, type Detector, DetectorTrainer, type StepResult } from '../detector/index.js'
import { type BackendName, engineInfo, ScheduledAdam } from '../engine/index.js'
import { IDENTITY_PLAN, type AugmentPlan } from './augment.js'
import { FeatureCache } from './feature-cache.js'
import { ParallelDetectorTrainer } from './parallel.js'
import type { Batch, Sample } from './pipeline.js'
import { batchPixels } from './score.js'

/** A view's key in the cache, or null for a plan whose pixels are not worth keeping (a crop, a colour change). */
function viewKey(sample: Sample): string | null {
  const { plan } = sample
  const [x1, y1, x2, y2] = plan.crop
  const whole = x1 === 0 && y1 === 0 && x2 === 1 && y2 === 1
  return whole && plan.brightness === 0 && plan.contrast === 1 ? `${sample.image.id}:${plan.flip ? 'mirror' : 'photo'}` : null
}

/** The plan of a photo while its head trains on kept maps: mirrored half of the time. */
export const keptViewPlan = (random: () => number): AugmentPlan => ({ ...IDENTITY_PLAN, flip: random() < 0.5 })

/** The frozen extractor: a batch's pixels ([b, height, width, 3]) → each map's values for the batch. */
interface Extractor {
  run(pixels: Float32Array, shape: readonly number[]): Promise<Float32Array[]>
  release(): Promise<void>
  runtime: 'onnx' | 'tfjs'
}

async function extractorOf(model: tfl.LayersModel, runtime: 'onnx' | 'tfjs'): Promise<Extractor> {
  const onTfjs: Extractor = {
    run: async (pixels, shape) => {
      const outputs = tf.tidy(() => {
        const out = model.predict(tf.tensor4d(pixels, shape as [number, number, number, number]))
        return Array.isArray(out) ? out : [out]
      })
      const values = outputs.map((t) => t.dataSync() as Float32Array)
      tf.dispose(outputs)
      return values
    },
    release: async () => {},
    runtime: 'tfjs',
  }
  if (runtime === 'tfjs') return onTfjs
  try {
    const { layersToOnnx, OnnxNetwork } = await import('../onnx/index.js')
    const network = await OnnxNetwork.load(layersToOnnx(model))
    return { run: (pixels, shape) => network.run(pixels, shape), release: () => network.release(), runtime: 'onnx' }
  } catch (error) {
    console.warn(`the frozen feature extractor runs on TF.js: ONNX Runtime did not load (${(error as Error).message.split('\n')[0]})`)
    return onTfjs
  }
}

export class CachedHeadTrainer {
  readonly cache: FeatureCache
  private readonly head: tfl.LayersModel
  private readonly optimizer: ScheduledAdam
  private readonly trainer: DetectorTrainer
  /** Each input of the head, per view: the maps' [rows, cols, channels], and with kept boxes their [anchors, 4]. */
  private readonly shapes: number[][]
  /** The head's data-parallel replicas, when there are cores for them. */
  private parallel: ParallelDetectorTrainer | null = null

  /**
   * A head trainer from the detector's current weights. `keptBoxes`: the box predictors are kept as they are too —
   * their offsets computed with the maps and kept (exactly), only the class predictors train, at about half the cost.
   * `runtime` is where the extractor runs (ONNX Runtime unless asked).
   */
  static async start(
    detector: Detector,
    learningRate: number,
    options: { keptBoxes?: boolean; cacheBytes?: number; runtime?: 'onnx' | 'tfjs'; workers?: number } = {},
  ): Promise<CachedHeadTrainer> {
    const { model, maps } = detector
    const outputs = maps.map((m) => model.getLayer(m.layer).output as tfl.SymbolicTensor)
    if (options.keptBoxes) outputs.push(model.outputs[1] as tfl.SymbolicTensor)
    const extractor = await extractorOf(tfl.model({ inputs: model.inputs, outputs }), options.runtime ?? 'onnx')
    const trainer = new CachedHeadTrainer(detector, extractor, learningRate, options.keptBoxes ?? false, options.cacheBytes)
    // With more than one core the head trains on data-parallel replicas too (parallel.ts), fed the kept maps.
    if ((options.workers ?? 1) > 1) {
      try {
        trainer.parallel = await ParallelDetectorTrainer.start(trainer.trainer, {
          workers: options.workers!,
          optimizer: { name: 'adam', learningRate },
          backend: engineInfo()!.name as BackendName,
          head: { keptBoxes: trainer.keptBoxes, inputs: trainer.head.inputNames },
        })
      } catch (error) {
        await trainer.dispose()
        throw error
      }
    }
    return trainer
  }

  private constructor(
    private readonly detector: Detector,
    readonly extractor: Extractor,
    learningRate: number,
    readonly keptBoxes: boolean,
    cacheBytes?: number,
  ) {
    const { model, maps } = detector
    this.head = buildHead(detector, { keptBoxes })
    copyLayerWeights(model, this.head)
    this.optimizer = new ScheduledAdam(learningRate)
    this.trainer = new DetectorTrainer({ ...detector, model: this.head }, this.optimizer)
    this.shapes = maps.map((m) => [...m.size, m.channels])
    if (keptBoxes) this.shapes.push([detector.anchorCount, 4])
    const sizes = this.shapes.map((shape) => shape.reduce((a, b) => a * b, 1))
    this.cache = new FeatureCache(sizes, cacheBytes, keptBoxes ? [...maps.map(() => false), true] : [])
  }

  async step(batch: Batch, learningRate: number): Promise<StepResult> {
    const views = await this.views(batch)
    const inputs = this.shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1)
      const data = new Float32Array(views.length * size)
      views.forEach((v, k) => data.set(v[i], k * size))
      return { data, shape: [views.length, ...shape] }
    })
    const labels = batch.samples.map((s) => ({ boxes: s.boxes, labels: s.labels }))
    if (this.parallel) {
      return this.parallel.stepOn(Object.fromEntries(this.head.inputNames.map((name, i) => [name, inputs[i]])), labels, learningRate)
    }
    const tensors = inputs.map(({ data, shape }) => tf.tensor(data, shape))
    try {
      this.optimizer.setLearningRate(learningRate)
      return this.trainer.step(tensors, labels)
    } finally {
      tf.dispose(tensors)
    }
  }

  /** The head's weights into the detector (for a checkpoint, an evaluation, or training the whole network again). */
  async copyInto(model: tfl.LayersModel): Promise<void> {
    await this.parallel?.syncWeights()
    copyLayerWeights(this.head, model)
  }

  async dispose(): Promise<void> {
    await this.parallel?.close()
    await this.extractor.release()
    this.trainer.dispose()
    this.optimizer.dispose()
    this.head.dispose()
    this.cache.clear()
  }

  /** Each sample's maps: kept ones from the cache, the others computed by the frozen extractor (and kept if they fit). */
  private async views(batch: Batch): Promise<Float32Array[][]> {
    const keys = batch.samples.map(viewKey)
    const found = keys.map((key) => (key === null ? undefined : this.cache.get(key)))
    const missing = keys.flatMap((_, k) => (found[k] ? [] : [k]))
    if (missing.length > 0) {
      const { data, shape } = batchPixels({ samples: missing.map((k) => batch.samples[k]) }, this.detector.config.input)
      const values = await this.extractor.run(data, shape)
      missing.forEach((k, j) => {
        const maps = values.map((v) => {
          const size = v.length / missing.length
          return v.slice(j * size, (j + 1) * size)
        })
        const key = keys[k]
        // Trained on as kept, so a view's values are the same on every pass.
        found[k] = (key === null ? null : this.cache.put(key, maps)) ?? maps
      })
    }
    return found as Float32Array[][]
  }
}
