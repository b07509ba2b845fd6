import type { Backbone } from '../config.js'
import type { ExtrasStyle } from './extras.js'
import type { S } from './layers.js'

/**
 * How pixels in 0–255 become the range the network was designed for: `pixel · scale + offset`. It is a layer at the
 * model's input (tfjs-layers' Rescaling, which serialises with the model), so the input pipeline, evaluation and the
 * runner on the Pi all feed raw pixels and never need to know which backbone they drive.
 */
export interface InputScaling {
  scale: number
  offset: number
}

export interface BackboneDefinition<B extends Backbone = Backbone> {
  name: B['name']
  inputScaling: InputScaling
  /**
   * The backbone's own maps for the head, finest first: stride 8, then 16 (and 32). Stride 8 comes first in every
   * backbone because small faces need it (see docs/detector.md#scales); the extras continue from the last one.
   */
  nativeMaps: number
  /** Build the first `count` (1 … nativeMaps) native maps from the scaled input, building no layer past the last. */
  features(x: S, count: number, options: B): S[]
  extras(options: B): ExtrasStyle
}
