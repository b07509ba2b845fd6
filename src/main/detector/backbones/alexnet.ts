// AlexNet as an SSD base network: AlexNet's convolutions (the single-tower 64-192-384-256-256 widths), truncated before
// pool5 the way SSD truncates VGG-16, with SSD's extra layers after it. Maps: conv2 (stride 8, for small faces) and
// conv5 (stride 16). 'same' padding, no LRN, no batch norm, no fc6/fc7 (this studio trains from scratch). Layer table,
// map sizes and why each departure from the 2012 network: docs/detector.md#alexnet.
import type { Backbone } from '../config.js'
import { ssdExtraWidths } from './extras.js'
import { conv, maxPool, type S } from './layers.js'
import type { BackboneDefinition } from './types.js'

type AlexNetConfig = Extract<Backbone, { name: 'alexnet' }>

export const alexnet: BackboneDefinition<AlexNetConfig> = {
  name: 'alexnet',
  // torchvision's ImageNet normalisation ((x/255 − mean) / std), averaged over the channels so one scale and offset
  // suffice: with no batch norm, the first layer relies on inputs of about unit variance.
  inputScaling: { scale: 1 / (255 * 0.226), offset: -0.449 / 0.226 },
  nativeMaps: 2,
  features(x: S, count: number): S[] {
    const opts = { batchNorm: false, activation: 'relu' } as const
    let y = conv(x, { ...opts, filters: 64, kernel: 11, strides: 4, name: 'conv1' })
    y = maxPool(y, 3, 2, 'pool1')
    const conv2 = conv(y, { ...opts, filters: 192, kernel: 5, name: 'conv2' })
    if (count === 1) return [conv2]
    y = maxPool(conv2, 3, 2, 'pool2')
    y = conv(y, { ...opts, filters: 384, kernel: 3, name: 'conv3' })
    y = conv(y, { ...opts, filters: 256, kernel: 3, name: 'conv4' })
    const conv5 = conv(y, { ...opts, filters: 256, kernel: 3, name: 'conv5' })
    return [conv2, conv5]
  },
  extras: () => ({ widths: ssdExtraWidths, batchNorm: false, activation: 'relu', separable: false }),
}
