// Small tfjs-layers builds of every backbone the detector plans to use, with the layer kinds each one needs (batch
// norm, ReLU6, leaky ReLU, depthwise and separable convs, explicit zero padding, max/average/global pooling,
// residual adds, concatenation, upsampling). They exist to find and pin down the kernels training needs on wasm; the
// real detector backbones are built elsewhere. `width` scales channel counts so tests stay fast.
import * as tf from '@tensorflow/tfjs-layers'
import type { SymbolicTensor } from '@tensorflow/tfjs-layers'

type S = SymbolicTensor
const L = tf.layers
const ch = (n: number, width: number) => Math.max(4, Math.round(n * width))

function convBN(
  x: S,
  filters: number,
  kernel: number,
  strides: number,
  act: 'relu' | 'relu6' | 'leaky' | 'linear',
  padding: 'same' | 'valid' = 'same',
): S {
  let y = L.conv2d({ filters, kernelSize: kernel, strides, padding, useBias: false }).apply(x) as S
  y = L.batchNormalization().apply(y) as S
  if (act === 'relu') y = L.reLU().apply(y) as S
  else if (act === 'relu6') y = L.reLU({ maxValue: 6 }).apply(y) as S
  else if (act === 'leaky') y = L.leakyReLU({ alpha: 0.1 }).apply(y) as S
  return y
}

/** The benchmark's reference network: 5 convs 3→16→32→64→64→6, kernel 3, strides 2,2,2,2,1, same padding, ReLU. */
export function referenceNet(size = 128): tf.LayersModel {
  const filters = [16, 32, 64, 64, 6]
  const strides = [2, 2, 2, 2, 1]
  const model = tf.sequential()
  filters.forEach((f, i) =>
    model.add(
      L.conv2d({
        filters: f,
        kernelSize: 3,
        strides: strides[i],
        padding: 'same',
        activation: i < 4 ? 'relu' : 'linear',
        ...(i === 0 ? { inputShape: [size, size, 3] } : {}),
      }),
    ),
  )
  return model
}

/** AlexNet-style feature extractor; returns the model and its two feature maps (for an SSD head). */
export function alexNet(size: number, width = 1): { input: S; features: S[] } {
  const input = tf.input({ shape: [size, size, 3] })
  let x = L.conv2d({ filters: ch(64, width), kernelSize: 11, strides: 4, padding: 'same', activation: 'relu' }).apply(input) as S
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as S
  x = L.conv2d({ filters: ch(192, width), kernelSize: 5, padding: 'same', activation: 'relu' }).apply(x) as S
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as S
  x = L.conv2d({ filters: ch(384, width), kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as S
  x = L.conv2d({ filters: ch(256, width), kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as S
  const f1 = L.conv2d({ filters: ch(256, width), kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as S
  const f2 = L.conv2d({ filters: ch(256, width), kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(f1) as S
  return { input, features: [f1, f2] }
}

export function mobileNetV1(size: number, width = 0.25): { input: S; features: S[] } {
  const input = tf.input({ shape: [size, size, 3] })
  let x = convBN(input, ch(32, width), 3, 2, 'relu6')
  const blocks: [number, number][] = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
  ]
  for (const [filters, stride] of blocks) {
    x = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(x) as S
    x = L.batchNormalization().apply(x) as S
    x = L.reLU({ maxValue: 6 }).apply(x) as S
    x = convBN(x, ch(filters, width), 1, 1, 'relu6')
  }
  // A separable conv with a depth multiplier of 2, as some V1 heads use.
  const f2 = L.separableConv2d({
    filters: ch(256, width),
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    depthMultiplier: 2,
    activation: 'relu6',
  }).apply(x) as S
  return { input, features: [x, f2] }
}

function invertedResidual(x: S, inC: number, outC: number, stride: number, expand: number): S {
  let y = convBN(x, inC * expand, 1, 1, 'relu6')
  if (stride === 2) {
    // Keras MobileNetV2 pads explicitly and then runs a 'valid' strided depthwise conv.
    y = L.zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    }).apply(y) as S
    y = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: false }).apply(y) as S
  } else {
    y = L.depthwiseConv2d({ kernelSize: 3, strides: 1, padding: 'same', useBias: false }).apply(y) as S
  }
  y = L.batchNormalization().apply(y) as S
  y = L.reLU({ maxValue: 6 }).apply(y) as S
  y = convBN(y, outC, 1, 1, 'linear')
  return stride === 1 && inC === outC ? (L.add().apply([x, y]) as S) : y
}

export function mobileNetV2(size: number, width = 0.35): { input: S; features: S[] } {
  const input = tf.input({ shape: [size, size, 3] })
  let x = convBN(input, ch(32, width), 3, 2, 'relu6')
  let c = ch(32, width)
  const settings: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
  ]
  let f1 = x
  for (const [out, stride, expand] of settings) {
    const o = ch(out, width)
    x = invertedResidual(x, c, o, stride, expand)
    c = o
    if (out === 24) f1 = x
  }
  return { input, features: [f1, x] }
}

export function darkNetTiny(size: number, width = 0.25): { input: S; features: S[] } {
  const input = tf.input({ shape: [size, size, 3] })
  let x = input
  const widths = [16, 32, 64, 128]
  let route: S = x
  widths.forEach((w, i) => {
    x = convBN(x, ch(w, width), 3, 1, 'leaky')
    if (i === widths.length - 1) route = x
    x = L.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as S
  })
  x = convBN(x, ch(256, width), 3, 1, 'leaky')
  // YOLOv3-tiny's stride-1 'same' max pool, then the route: 1×1 conv, upsample, concatenate with an earlier map.
  x = L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(x) as S
  const f2 = convBN(x, ch(128, width), 1, 1, 'leaky')
  let up = convBN(f2, ch(64, width), 1, 1, 'leaky')
  up = L.upSampling2d({ size: [2, 2] }).apply(up) as S
  const f1 = L.concatenate().apply([up, route]) as S
  const pooled = L.averagePooling2d({ poolSize: 2, strides: 2 }).apply(f1) as S
  return { input, features: [f1, L.concatenate().apply([pooled, f2]) as S] }
}

function basicBlock(x: S, inC: number, outC: number, stride: number): S {
  let y = convBN(x, outC, 3, stride, 'relu')
  y = convBN(y, outC, 3, 1, 'linear')
  const shortcut = stride !== 1 || inC !== outC ? convBN(x, outC, 1, stride, 'linear') : x
  return L.reLU().apply(L.add().apply([y, shortcut]) as S) as S
}

export function resNet18(size: number, width = 0.125): { input: S; features: S[] } {
  const input = tf.input({ shape: [size, size, 3] })
  let x = convBN(input, ch(64, width), 7, 2, 'relu')
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as S
  let c = ch(64, width)
  const feats: S[] = []
  for (const [w, stride] of [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ] as const) {
    const o = ch(w, width)
    x = basicBlock(x, c, o, stride)
    x = basicBlock(x, o, o, 1)
    c = o
    feats.push(x)
  }
  return { input, features: feats.slice(-2) }
}

export const backbones = { alexNet, mobileNetV1, mobileNetV2, darkNetTiny, resNet18 }
export type BackboneName = keyof typeof backbones

/**
 * An SSD head over the backbone's feature maps: per map a 3×3 class conv and a 3×3 box conv for `anchors` anchors per
 * cell, flattened and concatenated into [batch, totalAnchors, classes] and [batch, totalAnchors, 4].
 */
export function ssdModel(backbone: { input: S; features: S[] }, classes = 2, anchors = 4): tf.LayersModel {
  const cls: S[] = []
  const box: S[] = []
  for (const f of backbone.features) {
    const c = L.conv2d({ filters: anchors * classes, kernelSize: 3, padding: 'same' }).apply(f) as S
    const b = L.conv2d({ filters: anchors * 4, kernelSize: 3, padding: 'same' }).apply(f) as S
    cls.push(L.reshape({ targetShape: [-1, classes] }).apply(c) as S)
    box.push(L.reshape({ targetShape: [-1, 4] }).apply(b) as S)
  }
  const classLogits = cls.length > 1 ? (L.concatenate({ axis: 1 }).apply(cls) as S) : cls[0]
  const boxOffsets = box.length > 1 ? (L.concatenate({ axis: 1 }).apply(box) as S) : box[0]
  return tf.model({ inputs: backbone.input, outputs: [classLogits, boxOffsets] })
}
