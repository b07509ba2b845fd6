// MobileNet V1 as an SSD base network, laid out as the TF Object Detection API's SSD-MobileNet (maps from conv_pw_11
// and conv_pw_13, then extra layers) plus conv_pw_5 (stride 8), which small faces need. Layer names follow Keras'
// MobileNet, so its weights could be mapped in by name. Details and map sizes: docs/detector.md#mobilenet-v1.
import type { Backbone } from '../config.js'
import { mobileExtraWidths, scaledWidths } from './extras.js'
import { conv, depthwise, type S } from './layers.js'
import type { BackboneDefinition } from './types.js'

type MobileNetV1Config = Extract<Backbone, { name: 'mobilenet-v1' }>

/** Table 1: pointwise filters and depthwise stride of the 13 depthwise-separable blocks. */
const blocks: readonly [filters: number, stride: number][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
]
/** Blocks (1-based) whose output is a map for the head: strides 8, 16, 32. */
const taps = [5, 11, 13]

export const mobilenetV1: BackboneDefinition<MobileNetV1Config> = {
  name: 'mobilenet-v1',
  // Keras / TF-slim MobileNet preprocessing: pixels to [−1, 1].
  inputScaling: { scale: 1 / 127.5, offset: -1 },
  nativeMaps: taps.length,
  features(x: S, count: number, { alpha }: MobileNetV1Config): S[] {
    // Keras' rounding of the width multiplier (int(filters · alpha)).
    const width = (n: number) => Math.max(1, Math.floor(n * alpha))
    const opts = { batchNorm: true, activation: 'relu6' } as const
    let y = conv(x, { ...opts, filters: width(32), kernel: 3, strides: 2, name: 'conv1' })
    const maps: S[] = []
    for (let i = 1; maps.length < count; i++) {
      const [filters, stride] = blocks[i - 1]
      y = depthwise(y, { ...opts, kernel: 3, strides: stride, name: `conv_dw_${i}` })
      y = conv(y, { ...opts, filters: width(filters), kernel: 1, name: `conv_pw_${i}` })
      if (taps.includes(i)) maps.push(y)
    }
    return maps
  },
  extras: ({ alpha }) => ({
    widths: scaledWidths(mobileExtraWidths, alpha),
    batchNorm: true,
    activation: 'relu6',
    separable: false,
  }),
}
