// SSD's "extra feature layers" (Liu et al. 2016, §2.1 and Fig. 2): after the backbone's last map, each further map comes
// from a 1×1 conv that halves the channels and a 3×3 stride-2 conv — so the pyramid can go on as coarse as the config
// asks (each map ceil(previous / 2); a 1×1 map stays 1×1). Default widths are SSD300's conv8–conv11 (512, 256, 256, 256)
// and the TF Object Detection API's SSD-MobileNet (512, 256, 256, 128).
import { conv, depthwise, type Activation, type S } from './layers.js'

export interface ExtrasStyle {
  /** [1×1 reduce filters, stride-2 output filters] for each extra map in turn; the last pair repeats. */
  widths: readonly (readonly [number, number])[]
  batchNorm: boolean
  activation: Activation
  /**
   * SSDLite (Sandler et al. 2018, §6.2): the stride-2 3×3 conv becomes a depthwise 3×3 and a 1×1 — about 1/9 of the
   * multiply-adds — to match a depthwise backbone.
   */
  separable: boolean
}

/** The `index`-th extra map (0-based) computed from the previous map `x`. */
export function extraMap(x: S, index: number, style: ExtrasStyle): S {
  const [reduce, out] = style.widths[Math.min(index, style.widths.length - 1)]
  const name = `extra${index + 1}`
  const { batchNorm, activation } = style
  const y = conv(x, { filters: reduce, kernel: 1, batchNorm, activation, name: `${name}_reduce` })
  if (!style.separable) return conv(y, { filters: out, kernel: 3, strides: 2, batchNorm, activation, name: `${name}_conv` })
  const dw = depthwise(y, { kernel: 3, strides: 2, batchNorm, activation, name: `${name}_dw` })
  return conv(dw, { filters: out, kernel: 1, batchNorm, activation, name: `${name}_pw` })
}

/** SSD-MobileNet's extra widths scaled by the width multiplier, never below 16 channels (the TF API's `min_depth`). */
export function scaledWidths(widths: readonly (readonly [number, number])[], alpha: number): [number, number][] {
  const scale = (n: number) => Math.max(16, Math.round(n * alpha))
  return widths.map(([r, o]) => [scale(r), scale(o)])
}

export const ssdExtraWidths = [
  [256, 512],
  [128, 256],
  [128, 256],
  [128, 256],
] as const
export const mobileExtraWidths = [
  [256, 512],
  [128, 256],
  [128, 256],
  [64, 128],
] as const
