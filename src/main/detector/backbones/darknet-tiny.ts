// DarkNet-tiny: the backbone of YOLOv3-tiny (darknet's yolov3-tiny.cfg, layers 0–12): 3×3 convs with batch norm and
// leaky ReLU, max pools between. Maps for the head: the 128-, 256- and 1024-wide convs (strides 8, 16, 32), then SSD
// extra layers; no YOLO neck, the SSD head predicts from each map directly. Details and map sizes:
// docs/detector.md#darknet-tiny.
import type { Backbone } from '../config.js'
import { ssdExtraWidths } from './extras.js'
import { conv, maxPool, type S } from './layers.js'
import type { BackboneDefinition } from './types.js'

type DarkNetTinyConfig = Extract<Backbone, { name: 'darknet-tiny' }>

const opts = { batchNorm: true, activation: 'leaky' } as const

export const darknetTiny: BackboneDefinition<DarkNetTinyConfig> = {
  name: 'darknet-tiny',
  // darknet feeds images scaled to [0, 1].
  inputScaling: { scale: 1 / 255, offset: 0 },
  nativeMaps: 3,
  features(x: S, count: number): S[] {
    // Layer numbers are yolov3-tiny.cfg's. 'same' pooling makes odd maps round up (75 → 38), as darknet's does.
    let y = conv(x, { ...opts, filters: 16, kernel: 3, name: 'conv0' })
    y = maxPool(y, 2, 2, 'pool1')
    y = conv(y, { ...opts, filters: 32, kernel: 3, name: 'conv2' })
    y = maxPool(y, 2, 2, 'pool3')
    y = conv(y, { ...opts, filters: 64, kernel: 3, name: 'conv4' })
    y = maxPool(y, 2, 2, 'pool5')
    const conv6 = conv(y, { ...opts, filters: 128, kernel: 3, name: 'conv6' })
    if (count === 1) return [conv6]
    y = maxPool(conv6, 2, 2, 'pool7')
    const conv8 = conv(y, { ...opts, filters: 256, kernel: 3, name: 'conv8' })
    if (count === 2) return [conv6, conv8]
    y = maxPool(conv8, 2, 2, 'pool9')
    y = conv(y, { ...opts, filters: 512, kernel: 3, name: 'conv10' })
    y = maxPool(y, 2, 1, 'pool11')
    const conv12 = conv(y, { ...opts, filters: 1024, kernel: 3, name: 'conv12' })
    return [conv6, conv8, conv12]
  },
  extras: () => ({ widths: ssdExtraWidths, batchNorm: true, activation: 'leaky', separable: false }),
}
