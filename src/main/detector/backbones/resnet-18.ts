// ResNet-18 (He et al. 2016, Table 1; option B shortcuts) as an SSD base network: maps from the outputs of stages 2,
// 3 and 4 (strides 8, 16, 32), as SSD-ResNet detectors take them, then SSD extra layers. Details and map sizes:
// docs/detector.md#resnet-18.
import * as tfl from '@tensorflow/tfjs-layers'
import type { Backbone } from '../config.js'
import { ssdExtraWidths } from './extras.js'
import { add, channels, conv, maxPool, type S } from './layers.js'
import type { BackboneDefinition } from './types.js'

type ResNet18Config = Extract<Backbone, { name: 'resnet-18' }>

function basicBlock(x: S, filters: number, stride: number, name: string): S {
  let y = conv(x, { filters, kernel: 3, strides: stride, batchNorm: true, activation: 'relu', name: `${name}_conv1` })
  y = conv(y, { filters, kernel: 3, batchNorm: true, activation: 'linear', name: `${name}_conv2` })
  const shortcut =
    stride !== 1 || channels(x) !== filters
      ? conv(x, { filters, kernel: 1, strides: stride, batchNorm: true, activation: 'linear', name: `${name}_downsample` })
      : x
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(add(y, shortcut, `${name}_add`)) as S
}

export const resnet18: BackboneDefinition<ResNet18Config> = {
  name: 'resnet-18',
  // torchvision's ImageNet normalisation, averaged over the channels (as for AlexNet).
  inputScaling: { scale: 1 / (255 * 0.226), offset: -0.449 / 0.226 },
  nativeMaps: 3,
  features(x: S, count: number): S[] {
    let y = conv(x, { filters: 64, kernel: 7, strides: 2, batchNorm: true, activation: 'relu', name: 'conv1' })
    y = maxPool(y, 3, 2, 'maxpool')
    const maps: S[] = []
    const stages: [filters: number, stride: number][] = [
      [64, 1],
      [128, 2],
      [256, 2],
      [512, 2],
    ]
    for (const [i, [filters, stride]] of stages.entries()) {
      y = basicBlock(y, filters, stride, `layer${i + 1}_0`)
      y = basicBlock(y, filters, 1, `layer${i + 1}_1`)
      if (i >= 1) maps.push(y)
      if (maps.length === count) break
    }
    return maps
  },
  extras: () => ({ widths: ssdExtraWidths, batchNorm: true, activation: 'relu', separable: false }),
}
