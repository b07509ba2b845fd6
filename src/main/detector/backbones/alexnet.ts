// AlexNet as an SSD base network: the convolutional part of AlexNet (Krizhevsky 2014, "One weird trick…" — the
// single-tower 64-192-384-256-256 widths that torchvision's AlexNet also uses), truncated before pool5 the way SSD
// truncates VGG-16 (Liu et al. 2016, §3), with SSD's extra layers after it. Layout, map sizes at 300×300 and at
// 320×240 as [rows, cols]:
//
//   conv1  11×11/4, 64, ReLU        75×75   [60,80]
//   pool1  3×3/2 max                38×38   [30,40]
//   conv2  5×5, 192, ReLU           38×38   [30,40]   → map 0, stride 8
//   pool2  3×3/2 max                19×19   [15,20]
//   conv3  3×3, 384, ReLU
//   conv4  3×3, 256, ReLU
//   conv5  3×3, 256, ReLU           19×19   [15,20]   → map 1, stride 16
//   extras 1×1 + 3×3/2, ReLU        10, 5, 3, 2, 1…   [8,10] [4,5] [2,3] [1,2] [1,1]…
//
// Departures from the 2012 network, and why: 'same' padding everywhere (map sizes ceil(input / stride) for any input,
// so non-square inputs work and configs can state sizes); no local response normalisation (later work found it adds
// nothing, and tfjs-layers has no such layer); no batch norm (the original has none — He initialisation and a
// normalised input keep it trainable); pool5 and the fully-connected fc6/fc7 are dropped: SSD keeps VGG's fc6/fc7 as
// convolutions only to reuse their ImageNet weights, and this studio trains from scratch, where they would add up to a
// gigaflop at 19×19 for nothing. The stride-8 map is conv2 — only two convs deep, but the only place AlexNet has a
// stride-8 map at all, and small faces need one (presets.ts); the head's own 3×3 conv adds a layer of context on it.
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
