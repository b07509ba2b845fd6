// A whole-image classifier as a training session trains it (a Learner: learner.ts): its model from the run's seed, a
// pretrained backbone or a checkpoint, softmax cross-entropy steps — on data-parallel replicas when there are cores, as
// the detector's — and each evaluation's accuracy, per-class precision and recall and confusion matrix on val.
import * as tf from '@tensorflow/tfjs-core'
import {
  argmax,
  buildClassifier,
  type ClassifierConfig,
  classifierPart,
  ClassifierTrainer,
  measureNormStatistics,
  predictClasses,
  scoreClassifications,
} from '../classifier/index.js'
import { assertFinite } from '../detector/index.js'
import { type BackendName, type DataParallelTrainer, engineInfo, ScheduledAdam, startDataParallel } from '../engine/index.js'
import { withSeededRandom } from '../engine/seeded.js'
import { siblingModuleUrl } from '../jobs/index.js'
import { IDENTITY_PLAN, planClassifierAugmentation } from './augment.js'
import { loadCheckpointWeights } from './checkpoint.js'
import { trainingWorkers } from './parallel.js'
import { type Batch, batches } from './pipeline.js'
import { batchPixels, batchTensor } from './score.js'
import { epochOrder, type Learner, startFromPretrained } from './learner.js'
import type { SessionInit } from './session.js'

const replicaModule = siblingModuleUrl(import.meta.url, 'classifier-replica')

/** Train photos the batch norms' statistics are measured on before a checkpoint: a few batches' worth. */
const NORM_PHOTOS = 64

/** The photos' classes, 0-based (a classifier run's photos all have one: dataset.ts' loadTagDataset). */
const classesOf = (batch: Batch) =>
  batch.samples.map((s) => {
    if (s.image.classIndex === undefined) throw new Error(`photo ${s.image.path} has no class for the classifier`)
    return s.image.classIndex
  })

export async function classifierLearner(init: SessionInit, config: ClassifierConfig): Promise<Learner> {
  const { settings, classes } = init
  const input = config.input
  const classifier = withSeededRandom(settings.seed, () => buildClassifier(config))
  const { model } = classifier
  const optimizer = new ScheduledAdam(settings.learningRate)
  const trainer = new ClassifierTrainer(classifier, optimizer)
  const disposeLocal = () => {
    model.dispose()
    optimizer.dispose()
  }
  let parallel: DataParallelTrainer | null = null
  let steps = 0
  try {
    if (init.resumeFrom) await loadCheckpointWeights(model, init.resumeFrom)
    else if (settings.init && settings.init !== 'random') await startFromPretrained(model, settings.init, init)
    const workers = trainingWorkers(settings.batchSize)
    if (workers > 1) {
      parallel = await startDataParallel({
        workers,
        model: { module: replicaModule, export: 'replicaModel', args: [config] },
        loss: { module: replicaModule, export: 'replicaLoss' },
        optimizer: { name: 'adam', learningRate: settings.learningRate },
        weights: model.weights.map((w) => w.read().dataSync().slice() as Float32Array),
        backend: engineInfo()!.name as BackendName,
      })
    }
  } catch (e) {
    disposeLocal()
    throw e
  }
  // The batch norms' statistics, measured before each checkpoint (classifier/norms.ts) on the same train photos each
  // time: the first of the run's first epoch, as they are (no augmentation). Never val's: it only scores.
  const normPhotos = epochOrder(init.train, settings.seed, 1).slice(0, NORM_PHOTOS)
  const hasNorms = model.layers.some((l) => l.getClassName() === 'BatchNormalization')
  const measureNorms = async () => {
    if (!hasNorms) return
    const images: tf.Tensor4D[] = []
    try {
      for await (const batch of batches(
        normPhotos,
        settings.batchSize,
        input,
        () => IDENTITY_PLAN,
        () => {},
      )) {
        if (batch.samples.length > 0) images.push(batchTensor(batch, input))
      }
      measureNormStatistics(model, images)
    } finally {
      tf.dispose(images)
    }
  }
  return {
    model,
    backend: parallel ? `${parallel.backend} × ${parallel.workers} workers` : engineInfo()!.name,
    bestBy: 'accuracy',
    laterWinsTies: true,
    backboneLayers: model.layers.filter((l) => classifierPart(l.name) === 'backbone' && l.weights.length > 0).map((l) => l.name),
    plan: (random) => planClassifierAugmentation(random),
    step: async (batch, learningRate) => {
      const truth = classesOf(batch)
      if (parallel) {
        const step = ++steps
        const result = await parallel.step(
          { x: batchPixels(batch, input), y: { data: Int32Array.from(truth), shape: [truth.length] } },
          { learningRate, check: (r) => assertFinite(step, { classification: r.loss, box: 0 }) },
        )
        return { loss: result.loss, classification: result.loss, box: 0, positives: truth.length }
      }
      optimizer.setLearningRate(learningRate)
      const images = batchTensor(batch, input)
      try {
        return trainer.step(images, truth)
      } finally {
        images.dispose()
      }
    },
    freeze: (layers) => (parallel ? parallel.freeze([...layers]) : trainer.freeze(layers)),
    sync: async () => {
      if (parallel) {
        const values = await parallel.getWeights()
        const tensors = model.weights.map((w, k) => tf.tensor(values[k], w.shape as number[]))
        model.setWeights(tensors)
        tf.dispose(tensors)
      }
      await measureNorms()
    },
    // TF.js here, not ONNX Runtime as the detector's evaluation: the in-memory ONNX converter does not cover the
    // classifier's head yet (Dense, Flatten, global pooling), and a classifier's val pass is cheap.
    probe: async (images) => {
      await predictClasses(model, images)
      const started = Date.now()
      await predictClasses(model, images)
      return Date.now() - started
    },
    score: async (val, readable) => {
      const predicted = new Map<number, number>()
      for await (const { samples } of val) {
        if (samples.length === 0) continue
        const images = batchTensor({ samples }, input)
        try {
          const probabilities = await predictClasses(model, images)
          samples.forEach((s, i) => predicted.set(s.image.id, argmax(probabilities[i])))
        } finally {
          images.dispose()
        }
      }
      const photos = readable().filter((im) => predicted.has(im.id))
      const score = scoreClassifications(
        classes,
        photos.map((im) => im.classIndex!),
        photos.map((im) => predicted.get(im.id)!),
      )
      return { scores: { ap50: 0, ap: 0, recall: 0, classifier: score }, value: score.accuracy }
    },
    dispose: async () => {
      await parallel?.close()
      disposeLocal()
    },
  }
}
