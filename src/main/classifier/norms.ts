// Batch norm statistics for inference, measured ("precise BN", Wu & Johnson 2021): a batch norm trains on each batch's
// own statistics and keeps running averages (momentum 0.99) for inference. A short run — tens or hundreds of steps, the
// usual classifier run here — moves its weights faster than those averages follow, so its val predictions would use
// statistics of a network that no longer exists (measured: a run that learned red from blue squares to a training
// loss near 0 predicted one class for every val photo). Before a checkpoint, the averages become the statistics of
// training photos under the weights as they are, as the network computes them in training.
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

const weightName = (w: tfl.LayerVariable) => w.originalName.split('/').pop()!

/**
 * Set every batch norm's moving mean and variance to its input's mean and variance over `images` (batches of 0–255
 * RGB as the model takes them), the network running as in training (each norm on its batch's statistics). Gamma and
 * beta are left alone. Nothing to do for a model without batch norms (AlexNet's).
 */
export function measureNormStatistics(model: tfl.LayersModel, images: readonly tf.Tensor4D[]): void {
  const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization')
  if (norms.length === 0 || images.length === 0) return
  // Shares the model's layers (and so its weights): not disposed, which would dispose them.
  const probe = tfl.model({ inputs: model.inputs, outputs: norms.map((l) => l.input as tfl.SymbolicTensor) })
  // The moving averages a training-mode call updates as it goes are replaced below.
  const saved = norms.map((l) => l.getWeights().map((w) => w.clone()))
  let sums: { mean: tf.Tensor; square: tf.Tensor }[] | null = null
  let count = 0
  try {
    for (const batch of images) {
      const n = batch.shape[0]
      const next = tf.tidy(() => {
        const outs = probe.apply(batch, { training: true }) as tf.Tensor | tf.Tensor[]
        return (Array.isArray(outs) ? outs : [outs]).map((y, k) => {
          const { mean, variance } = tf.moments(y, [0, 1, 2])
          // Weighted by photos; E[x²] per batch so batches combine exactly.
          const add = { mean: tf.mul(mean, n), square: tf.mul(tf.add(variance, tf.square(mean)), n) }
          return sums ? { mean: tf.add(sums[k].mean, add.mean), square: tf.add(sums[k].square, add.square) } : add
        })
      })
      if (sums) tf.dispose(sums.flatMap((s) => [s.mean, s.square]))
      sums = next
      count += n
    }
    norms.forEach((layer, k) => {
      const values = tf.tidy(() => {
        const mean = tf.div(sums![k].mean, count)
        const variance = tf.relu(tf.sub(tf.div(sums![k].square, count), tf.square(mean)))
        return layer.weights.map((w, i) => {
          const name = weightName(w)
          if (name === 'moving_mean') return mean
          if (name === 'moving_variance') return variance
          return saved[k][i].clone()
        })
      })
      layer.setWeights(values)
      tf.dispose(values)
    })
  } catch (error) {
    norms.forEach((layer, k) => layer.setWeights(saved[k]))
    throw error
  } finally {
    tf.dispose(saved.flat())
    if (sums) tf.dispose((sums as { mean: tf.Tensor; square: tf.Tensor }[]).flatMap((s) => [s.mean, s.square]))
  }
}
