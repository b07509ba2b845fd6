// MobileNet V2: inverted residual blocks, with maps for the head taken where the paper's SSDLite takes them (the
// expansion of a stage's first stride-2 block: block 6 for stride 8, block 13 for stride 16; and the final 1×1 conv),
// then SSDLite's depthwise-separable extra layers. Names follow Keras' MobileNetV2 (block_N_expand, …). Details and
// map sizes: docs/detector.md#mobilenet-v2.
import type { Backbone } from '../config.js'
import { mobileExtraWidths, scaledWidths } from './extras.js'
import { add, channels, conv, depthwise, type S } from './layers.js'
import type { BackboneDefinition } from './types.js'

type MobileNetV2Config = Extract<Backbone, { name: 'mobilenet-v2' }>

/** Table 2 rows: expansion t, output channels c, repeats n, first stride s. */
const stages: readonly [t: number, c: number, n: number, s: number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
]

/** Channel counts rounded to a multiple of 8, never more than 10% below the exact value (the reference `_make_divisible`). */
export function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor)
  return rounded < 0.9 * v ? rounded + divisor : rounded
}

const opts = { batchNorm: true, activation: 'relu6' } as const

export const mobilenetV2: BackboneDefinition<MobileNetV2Config> = {
  name: 'mobilenet-v2',
  // Keras MobileNetV2 preprocessing: pixels to [−1, 1].
  inputScaling: { scale: 1 / 127.5, offset: -1 },
  nativeMaps: 3,
  features(x: S, count: number, { alpha }: MobileNetV2Config): S[] {
    let y = conv(x, { ...opts, filters: makeDivisible(32 * alpha), kernel: 3, strides: 2, name: 'Conv1' })
    const maps: S[] = []
    let block = 0
    for (const [t, c, n, s] of stages) {
      const out = makeDivisible(c * alpha)
      for (let r = 0; r < n; r++, block++) {
        const stride = r === 0 ? s : 1
        const input = y
        const name = block === 0 ? 'expanded_conv' : `block_${block}`
        let h = input
        if (t !== 1) {
          h = conv(h, { ...opts, filters: channels(input) * t, kernel: 1, name: `${name}_expand` })
          if (block === 6 || block === 13) {
            maps.push(h)
            if (maps.length === count) return maps
          }
        }
        h = depthwise(h, { ...opts, kernel: 3, strides: stride, name: `${name}_depthwise` })
        h = conv(h, { filters: out, kernel: 1, batchNorm: true, activation: 'linear', name: `${name}_project` })
        y = stride === 1 && channels(input) === out ? add(input, h, `${name}_add`) : h
      }
    }
    // The last conv keeps 1280 channels for alpha ≤ 1 (the paper's choice: a narrow net still needs a wide last layer).
    const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280
    maps.push(conv(y, { ...opts, filters: last, kernel: 1, name: 'Conv_1' }))
    return maps
  },
  extras: ({ alpha }) => ({
    widths: scaledWidths(mobileExtraWidths, alpha),
    batchNorm: true,
    activation: 'relu6',
    separable: true,
  }),
}
