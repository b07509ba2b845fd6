// Freezing layers for part of a run (a fine-tune's backbone while its new head settles): a frozen layer's weights get
// no gradient and no update, and its batch norms run in inference mode, so their moving statistics stay the parent's
// too. Layers are not made `trainable = false`: tfjs-layers would then move their weights to the end of
// `model.weights`, and the weight order is what checkpoints, replicas and `getWeights` rely on.
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

type Layer = tfl.LayersModel['layers'][number]
type Call = Layer['call']

const STOCK_CALL = Symbol('stockCall')
const FROZEN = Symbol('frozen')

interface Freezable {
  [STOCK_CALL]?: Call
  [FROZEN]?: boolean
}

/** Batch norm in training mode updates its moving statistics: a frozen one must be called as in inference. */
function setFrozen(layer: Layer, frozen: boolean): void {
  const l = layer as Layer & Freezable
  if (layer.getClassName() === 'BatchNormalization' && !l[STOCK_CALL]) {
    const stock = layer.call.bind(layer)
    l[STOCK_CALL] = stock
    layer.call = (inputs, kwargs) => stock(inputs, l[FROZEN] ? { ...kwargs, training: false } : kwargs)
  }
  l[FROZEN] = frozen
}

/**
 * Freeze the named layers (and unfreeze every other one); returns the trainable variables that still learn, in
 * `model.trainableWeights` order. Unknown names are an error: a typo would silently train what was meant to be frozen.
 */
export function freezeLayers(model: tfl.LayersModel, names: Iterable<string>): tf.Variable[] {
  const frozen = new Set(names)
  const known = new Set(model.layers.map((l) => l.name))
  const unknown = [...frozen].filter((n) => !known.has(n))
  if (unknown.length > 0) throw new Error(`cannot freeze ${unknown.join(', ')}: the model has no such layer`)
  const frozenWeights = new Set<unknown>()
  for (const layer of model.layers) {
    setFrozen(layer, frozen.has(layer.name))
    if (frozen.has(layer.name)) for (const w of layer.weights) frozenWeights.add(w)
  }
  return model.trainableWeights.filter((w) => !frozenWeights.has(w)).map((w) => w.read() as tf.Variable)
}

/** Per trainable weight (in `model.trainableWeights` order): does it belong to a frozen layer? */
export function frozenMask(model: tfl.LayersModel, names: Iterable<string>): boolean[] {
  const learning = new Set(freezeLayers(model, names))
  return model.trainableWeights.map((w) => !learning.has(w.read() as tf.Variable))
}
