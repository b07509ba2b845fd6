// The backbones a detector config can name, and the feature pyramid the SSD head predicts from: the backbone's own
// maps (strides 8, 16, 32 — AlexNet stops at 16), then SSD extra layers until the config's number of maps is reached.
import * as tfl from '@tensorflow/tfjs-layers'
import type { Backbone, BackboneName } from '../config.js'
import { alexnet } from './alexnet.js'
import { darknetTiny } from './darknet-tiny.js'
import { extraMap } from './extras.js'
import type { S } from './layers.js'
import { mobilenetV1 } from './mobilenet-v1.js'
import { mobilenetV2 } from './mobilenet-v2.js'
import { resnet18 } from './resnet-18.js'
import type { BackboneDefinition, InputScaling } from './types.js'

export const backbones: { readonly [N in BackboneName]: BackboneDefinition<Extract<Backbone, { name: N }>> } = {
  alexnet,
  'mobilenet-v1': mobilenetV1,
  'mobilenet-v2': mobilenetV2,
  'darknet-tiny': darknetTiny,
  'resnet-18': resnet18,
}

export const backboneNames = Object.keys(backbones) as BackboneName[]

export function backboneDefinition(backbone: Backbone): BackboneDefinition {
  return backbones[backbone.name] as BackboneDefinition
}

/** The input's range conversion for this backbone (see `InputScaling`). */
export function inputScaling(backbone: Backbone): InputScaling {
  return backboneDefinition(backbone).inputScaling
}

/**
 * Build `count` feature maps from an image input of raw 0–255 pixels, finest first: the backbone's input scaling, its
 * native maps, then extra maps. Nothing past the last requested map is built (tfjs-layers allocates a layer's weights
 * when the layer is applied, so an unused layer would hold memory nobody frees).
 */
export function featurePyramid(image: S, backbone: Backbone, count: number): S[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`a detector needs at least one feature map, not ${count}`)
  const definition = backboneDefinition(backbone)
  const x = tfl.layers.rescaling({ ...definition.inputScaling, name: 'input_scaling' }).apply(image) as S
  const maps = definition.features(x, Math.min(count, definition.nativeMaps), backbone)
  const style = definition.extras(backbone)
  for (let i = 0; maps.length < count; i++) maps.push(extraMap(maps[maps.length - 1], i, style))
  return maps
}

export { extraMap, type ExtrasStyle } from './extras.js'
export { channels, mapSize } from './layers.js'
export type { BackboneDefinition, InputScaling } from './types.js'
