// Data-parallel training is a real synchronous step: two worker replicas of the reference network, each on half of a
// batch of 16, with their gradients averaged, end 3 Adam steps with identical weights — the same weights, to rounding,
// as one process training the same 3 steps on the whole batch from the same start. (The MSE loss is a mean over the
// batch, so the average of the two half-batch gradients is the whole batch's gradient.)
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine, startDataParallel, type Batch, type DataParallelTrainer } from '../../../src/main/engine/index.js'
import { referenceNet } from '../../unit/engine/models.js'

const models = new URL('../../unit/engine/models.ts', import.meta.url).href
const STEPS = 3

/** Largest difference relative to the tensor's largest magnitude (so near-zero elements do not dominate). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return diff / scale
}

describe('data-parallel training of the reference network over 2 workers', () => {
  let trainer: DataParallelTrainer
  let batch: Batch

  beforeAll(async () => {
    expect((await initEngine({ backend: 'wasm' })).name).toBe('wasm')
    batch = tf.tidy(() => ({
      x: { data: tf.randomUniform([16, 128, 128, 3], 0, 1, 'float32', 1).dataSync() as Float32Array, shape: [16, 128, 128, 3] },
      y: { data: tf.randomNormal([16, 8, 8, 6], 0, 1, 'float32', 2).dataSync() as Float32Array, shape: [16, 8, 8, 6] },
    }))
    trainer = await startDataParallel({
      workers: 2,
      model: { module: models, export: 'referenceNet', args: [128] },
      loss: 'meanSquaredError',
      optimizer: { name: 'adam', learningRate: 1e-3 },
      backend: 'wasm',
    })
  })

  afterAll(async () => {
    await trainer?.close()
  })

  it('keeps the replicas identical and equal to a single-process run on the whole batch', async () => {
    expect(trainer.backend).toBe('wasm')
    expect(trainer.workers).toBe(2)
    // No initial weights were given: replica 0's random initialisation was copied to replica 1.
    const initial = await trainer.getWeights()
    expect(await trainer.replicaWeights(1)).toEqual(initial)

    // The first step sends the shards; the others train on the shards the replicas kept.
    const losses: number[] = []
    for (let s = 0; s < STEPS; s++) losses.push((await trainer.step(s === 0 ? batch : undefined)).loss)
    const [w0, w1] = [await trainer.replicaWeights(0), await trainer.replicaWeights(1)]

    // The same 3 steps in this process, on all 16 images at once, from the same weights.
    const model = referenceNet(128)
    model.setWeights(initial.map((w, k) => tf.tensor(w, trainer.weights[k].shape)))
    const optimizer = tf.train.adam(1e-3)
    const x = tf.tensor(batch.x.data, batch.x.shape)
    const y = tf.tensor(batch.y.data, batch.y.shape)
    const expectedLosses: number[] = []
    for (let s = 0; s < STEPS; s++) {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor), true)!
      expectedLosses.push(loss.dataSync()[0])
      loss.dispose()
    }
    const expected = model.getWeights().map((w) => w.dataSync() as Float32Array)

    for (let k = 0; k < expected.length; k++) {
      const name = trainer.weights[k].name
      // Both replicas applied the same averaged gradients to the same weights: bit for bit the same.
      expect(w1[k], name).toEqual(w0[k])
      // Training moved every weight by far more than the tolerance, so agreement is not just "nothing happened".
      expect(relativeError(initial[k], expected[k]), name).toBeGreaterThan(1e-3)
      // Summing 16 images' gradients in one kernel or as two halves of 8 rounds differently, hence a tolerance.
      expect(relativeError(w0[k], expected[k]), name).toBeLessThan(1e-4)
    }
    losses.forEach((l, s) => expect(Math.abs(l - expectedLosses[s]) / expectedLosses[s]).toBeLessThan(1e-4))
    tf.dispose([x, y])
    optimizer.dispose()
    model.layers.forEach((l) => l.dispose())
  })

  it('reports a replica that cannot build its model', async () => {
    await expect(
      startDataParallel({
        workers: 1,
        model: { module: models, export: 'noSuchModel' },
        loss: 'meanSquaredError',
        optimizer: { name: 'adam', learningRate: 1e-3 },
      }),
    ).rejects.toThrow(/replica 0 could not start: .*has no export noSuchModel/)
  })
})
