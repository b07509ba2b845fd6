// Optimizers whose learning rate a schedule sets before each step, through a public method.
import * as tf from '@tensorflow/tfjs-core'

/**
 * Adam whose rate can change between updates. TF.js's Adam reads its rate from a protected field at every update and
 * offers no setter (SGD has setLearningRate); a subclass may write it. Otherwise tf.train.adam exactly: ε left
 * undefined takes the backend's.
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon)
  }

  /** The rate of the updates from now on. */
  setLearningRate(rate: number): void {
    this.learningRate = rate
  }
}

/** An optimizer a learning-rate schedule can drive. */
export type ScheduledOptimizer = tf.Optimizer & { setLearningRate(rate: number): void }
