// The model builder and the SSD head: outputs [b, A, C+1] and [b, A, 4] with A = Σ rows·cols·k; predictions laid out
// in the anchors module's order (map by map, row-major over cells, anchor type within a cell); a config whose map sizes
// differ from the network's is refused with an error that says which map and what the network gives; the model
// serialises; and parameters and multiply-adds are counted exactly.
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import type { DetectorConfigInput, FeatureMap } from '../../../src/main/detector/config.js'
import { anchorsPerCell } from '../../../src/main/detector/anchors.js'
import { anchorCount, outputNames, ssdHead } from '../../../src/main/detector/head.js'
import { buildDetector, detectorPart } from '../../../src/main/detector/model.js'
import { summarize, totalsByPart } from '../../../src/main/detector/summary.js'

beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
})

const map = (size: [number, number], aspectRatios: number[], extraScale = true): FeatureMap => ({ size, scale: 0.2, aspectRatios, extraScale })

/** A small, fast detector: MobileNet V1 at width 0.25 on a 96×64 input, three maps with different anchors per cell. */
function smallConfig(overrides: Partial<DetectorConfigInput> = {}): DetectorConfigInput {
  return {
    name: 'small',
    input: { width: 96, height: 64 },
    classes: ['face', 'smiling face'],
    backbone: { name: 'mobilenet-v1', alpha: 0.25 },
    featureMaps: [map([8, 12], [1, 0.8]), map([4, 6], [1, 0.75, 1.33], false), map([2, 3], [1])],
    matcher: { pos: 0.5, neg: 0.4 },
    boxCoder: { variances: [0.1, 0.1, 0.2, 0.2] },
    loss: { name: 'ssd' },
    decoding: {},
    ...overrides,
  }
}

describe('buildDetector', () => {
  it('outputs classLogits [b, A, C+1] and boxOffsets [b, A, 4] with A = Σ rows · cols · anchors per cell', () => {
    const detector = buildDetector(smallConfig())
    const A = 8 * 12 * 3 + 4 * 6 * 3 + 2 * 3 * 2
    expect(detector.anchorCount).toBe(A)
    expect(anchorCount(detector.config.featureMaps)).toBe(A)
    expect(detector.model.outputNames).toEqual([...outputNames])
    expect(detector.model.outputs.map((o) => o.shape)).toEqual([
      [null, A, 3],
      [null, A, 4],
    ])
    expect(detector.model.inputs[0].shape).toEqual([null, 64, 96, 3])
    const [cls, box] = detector.model.predict(tf.randomUniform([2, 64, 96, 3], 0, 255)) as tf.Tensor[]
    expect(cls.shape).toEqual([2, A, 3])
    expect(box.shape).toEqual([2, A, 4])
    expect(tf.all(tf.isFinite(cls)).dataSync()[0]).toBe(1)
    tf.dispose([cls, box])
    expect(detector.maps).toEqual([
      { size: [8, 12], channels: 64, anchorsPerCell: 3, layer: 'conv_pw_5_relu6' },
      { size: [4, 6], channels: 128, anchorsPerCell: 3, layer: 'conv_pw_11_relu6' },
      { size: [2, 3], channels: 256, anchorsPerCell: 2, layer: 'conv_pw_13_relu6' },
    ])
    detector.model.dispose()
  })

  it('predicts from a single map too', () => {
    const detector = buildDetector(smallConfig({ featureMaps: [map([8, 12], [1])] }))
    expect(detector.model.outputs.map((o) => o.shape)).toEqual([
      [null, 8 * 12 * 2, 3],
      [null, 8 * 12 * 2, 4],
    ])
    expect(detector.model.outputNames).toEqual([...outputNames])
    detector.model.dispose()
  })

  it("refuses a config whose map size differs from the network's, naming the map, and frees what it built", () => {
    const before = tf.memory().numTensors
    const config = smallConfig({
      input: { width: 300, height: 300 },
      featureMaps: [map([38, 38], [1]), map([19, 19], [1]), map([9, 9], [1])],
    })
    expect(() => buildDetector(config)).toThrow(
      'featureMaps[2].size is [9,9] but mobilenet-v1 at 300×300 gives [10,10] ([rows, cols]); its maps are [38,38], [19,19], [10,10]',
    )
    // The easy mistake with a landscape input: [cols, rows] instead of [rows, cols].
    expect(() => buildDetector(smallConfig({ featureMaps: [map([12, 8], [1])] }))).toThrow(
      /featureMaps\[0\]\.size is \[12,8\] but mobilenet-v1 at 96×64 gives \[8,12\]/,
    )
    expect(tf.memory().numTensors).toBe(before)
  })

  it('validates the config it is given', () => {
    expect(() => buildDetector({ ...smallConfig(), classes: [] })).toThrow(/classes/)
    expect(() => buildDetector({ ...smallConfig(), backbone: { name: 'vgg-16' } } as unknown as DetectorConfigInput)).toThrow(/backbone/)
  })

  it('names every weight the same way on every build, so a checkpoint loads back into a fresh model', () => {
    const a = buildDetector(smallConfig())
    const b = buildDetector(smallConfig())
    const names = (d: typeof a) => d.model.weights.map((w) => w.originalName)
    expect(names(b)).toEqual(names(a))
    expect(names(a)).toContain('conv_dw_3/depthwise_kernel')
    expect(names(a)).toContain('head2_box/kernel')
    a.model.dispose()
    b.model.dispose()
  })

  it('serialises: a model rebuilt from its JSON topology and weights predicts the same', async () => {
    const detector = buildDetector(smallConfig())
    const rebuilt = await tfl.models.modelFromJSON({ modelTopology: detector.model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] })
    rebuilt.setWeights(detector.model.getWeights())
    const x = tf.randomUniform([1, 64, 96, 3], 0, 255)
    const [a, b] = [detector.model, rebuilt].map((m) => (m.predict(x) as tf.Tensor[])[0])
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0)
    tf.dispose([x, a, b])
    detector.model.dispose()
    rebuilt.dispose()
  })
})

describe('ssdHead', () => {
  it('lays predictions out map by map, row-major over cells, then anchor type within a cell', () => {
    // Two maps whose only channel holds a code for the cell (map 1's codes start at 50). Each predictor conv copies
    // that code (the kernel's centre tap) and adds 1000·anchor + 100·value (its bias), so every prediction says
    // which map, cell, anchor and value it is.
    const maps: FeatureMap[] = [map([2, 3], [1, 0.8]), map([1, 2], [1], false)]
    const inputs = maps.map((m) => tfl.input({ shape: [...m.size, 1] }))
    const { classLogits, boxOffsets } = ssdHead(inputs, maps, 1)
    const model = tfl.model({ inputs, outputs: [classLogits, boxOffsets] })
    maps.forEach((m, i) => {
      const k = anchorsPerCell(m)
      for (const [what, n] of [
        ['class', 2],
        ['box', 4],
      ] as const) {
        const layer = model.getLayer(`head${i}_${what}`)
        const kernel = tf.buffer([3, 3, 1, k * n])
        const bias = tf.buffer([k * n])
        for (let a = 0; a < k; a++) {
          for (let j = 0; j < n; j++) {
            kernel.set(1, 1, 1, 0, a * n + j)
            bias.set(1000 * a + 100 * j, a * n + j)
          }
        }
        layer.setWeights([kernel.toTensor(), bias.toTensor()])
      }
    })
    const codes = [tf.tensor4d([0, 1, 2, 3, 4, 5], [1, 2, 3, 1]), tf.tensor4d([50, 51], [1, 1, 2, 1])]
    const [cls, box] = (model.predict(codes) as tf.Tensor[]).map((t) => t.arraySync() as number[][][])
    const expected = (n: number) => {
      const rows: number[][] = []
      for (const [cell, k] of [
        [0, 3],
        [1, 3],
        [2, 3],
        [3, 3],
        [4, 3],
        [5, 3],
        [50, 1],
        [51, 1],
      ]) {
        for (let a = 0; a < k; a++) rows.push(Array.from({ length: n }, (_, j) => cell + 1000 * a + 100 * j))
      }
      return rows
    }
    expect(cls[0]).toEqual(expected(2))
    expect(box[0]).toEqual(expected(4))
    tf.dispose(codes)
    model.dispose()
  })

  it('counts Σ rows · cols · anchors per cell over the maps', () => {
    expect(
      anchorCount([
        { size: [30, 40], aspectRatios: [1], extraScale: true },
        { size: [1, 2], aspectRatios: [1, 2], extraScale: false },
      ]),
    ).toBe(2404)
  })
})

describe('summarize', () => {
  it('counts parameters and multiply-adds of conv, depthwise, separable and dense layers exactly', () => {
    const x = tfl.input({ shape: [8, 10, 3] })
    let y = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c' }).apply(x) as tfl.SymbolicTensor
    y = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', name: 'd' }).apply(y) as tfl.SymbolicTensor
    y = tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 's' }).apply(y) as tfl.SymbolicTensor
    y = tfl.layers.batchNormalization({ name: 'bn' }).apply(y) as tfl.SymbolicTensor
    y = tfl.layers.flatten({ name: 'f' }).apply(y) as tfl.SymbolicTensor
    y = tfl.layers.dense({ units: 5, name: 'fc' }).apply(y) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: x, outputs: y })
    const s = summarize(model)
    const row = (name: string) => s.layers.find((l) => l.name === name)!
    expect(row('c')).toMatchObject({ outputShape: [8, 10, 4], params: 3 * 3 * 3 * 4 + 4, macs: 8 * 10 * 3 * 3 * 3 * 4 })
    expect(row('d')).toMatchObject({ outputShape: [4, 5, 4], params: 3 * 3 * 4 + 4, macs: 4 * 5 * 3 * 3 * 4 })
    expect(row('s')).toMatchObject({ outputShape: [4, 5, 6], params: 3 * 3 * 4 + 4 * 6 + 6, macs: 4 * 5 * (3 * 3 * 4 + 4 * 6) })
    expect(row('bn')).toMatchObject({ params: 4 * 6, trainableParams: 2 * 6, macs: 0 })
    expect(row('fc')).toMatchObject({ outputShape: [5], params: 120 * 5 + 5, macs: 120 * 5 })
    expect(s.macs).toBe(8640 + 720 + 1200 + 600)
    expect(s.params).toBe(112 + 40 + 66 + 24 + 605)
    expect(s.trainableParams).toBe(s.params - 12)
    model.dispose()
  })

  it('splits a detector into input scaling, backbone, extras and head; the head is Σ over maps of two 3×3 convs', () => {
    const detector = buildDetector(smallConfig())
    const parts = totalsByPart(summarize(detector.model), detectorPart)
    expect(Object.keys(parts).sort()).toEqual(['backbone', 'head', 'input'])
    expect(parts.input).toEqual({ params: 0, trainableParams: 0, macs: 0 })
    // Three classes (background, face, smiling face) and four offsets per anchor.
    const headMacs = detector.maps.reduce((sum, m) => sum + m.size[0] * m.size[1] * 9 * m.channels * m.anchorsPerCell * (3 + 4), 0)
    expect(parts.head.macs).toBe(headMacs)
    detector.model.dispose()
    const withExtras = buildDetector(smallConfig({ featureMaps: [...smallConfig().featureMaps, map([1, 2], [1])] }))
    expect(totalsByPart(summarize(withExtras.model), detectorPart).extras.macs).toBeGreaterThan(0)
    withExtras.model.dispose()
  })
})
