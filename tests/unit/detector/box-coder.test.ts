// The box coder: the formula on hand-worked numbers, the tensor version against the plain one, and
// decode as encode's exact inverse — both ways, with custom variances, broadcast over a batch, on wasm.
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { BoxCoder, SSD_VARIANCES, toCentreSize, toCorners } from '../../../src/main/detector/box-coder.js'
import { initEngine } from '../../../src/main/engine/index.js'
import type { Corners } from '../../../src/shared/boxes.js'
import { rng } from '../engine/parity.js'

beforeAll(async () => {
  const engine = await initEngine()
  expect(engine.name).not.toBe('cpu') // never the plain-JS fallback: too slow for real work
})

const coder = new BoxCoder()
const plain2 = (boxes: readonly Corners[]) => boxes.map((b) => [...b])
const plain3 = (boxes: readonly Corners[][]) => boxes.map(plain2)

function randomBox(random: () => number): Corners {
  const w = 0.02 + random() * 0.8
  const h = 0.02 + random() * 0.8
  const x = random() * 1.2 - 0.1
  const y = random() * 1.2 - 0.1
  return [x, y, x + w, y + h].map(Math.fround) as unknown as Corners
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++) {
    const bound = tolerance * Math.max(1, Math.abs(expected[i]))
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${bound})`)
    }
  }
}

describe('BoxCoder (plain numbers)', () => {
  it('encodes centre offsets in tenths and log sizes in fifths of the anchor, as the issue states', () => {
    // Anchor centred (0.5, 0.5), 0.5 × 0.5. Box centred (0.55, 0.55), 0.5 × 0.7.
    const [dx, dy, dw, dh] = coder.encodeBox([0.3, 0.2, 0.8, 0.9], [0.25, 0.25, 0.75, 0.75])
    expect(dx).toBeCloseTo((0.55 - 0.5) / 0.5 / 0.1, 12) // 1
    expect(dy).toBeCloseTo((0.55 - 0.5) / 0.5 / 0.1, 12)
    expect(dw).toBeCloseTo(Math.log(0.5 / 0.5) / 0.2, 12) // 0
    expect(dh).toBeCloseTo(Math.log(0.7 / 0.5) / 0.2, 12) // 1.682…
    expect(SSD_VARIANCES).toEqual([0.1, 0.1, 0.2, 0.2])
  })

  it('decodes to the box it encoded', () => {
    const random = rng(7)
    for (let i = 0; i < 200; i++) {
      const box = randomBox(random)
      const anchor = randomBox(random)
      expectClose(coder.decodeBox(coder.encodeBox(box, anchor), anchor), box, 1e-12)
    }
  })

  it('uses the variances it is given', () => {
    const custom = new BoxCoder([0.5, 0.25, 1, 2])
    const box: Corners = [0.3, 0.2, 0.8, 0.9]
    const anchor: Corners = [0.25, 0.25, 0.75, 0.75]
    const plain = coder.encodeBox(box, anchor)
    const scaled = custom.encodeBox(box, anchor)
    expectClose(scaled, [(plain[0] * 0.1) / 0.5, (plain[1] * 0.1) / 0.25, (plain[2] * 0.2) / 1, (plain[3] * 0.2) / 2], 1e-12)
    expectClose(custom.decodeBox(scaled, anchor), box, 1e-12)
  })
})

describe('BoxCoder (tensors)', () => {
  const random = rng(11)
  const B = 3
  const A = 50
  const anchors = Array.from({ length: A }, () => randomBox(random))
  const boxes = Array.from({ length: B }, () => Array.from({ length: A }, () => randomBox(random)))

  it('encodes a batch [B, A, 4] against anchors [A, 4] as the plain formula does', () => {
    const offsets = tf.tidy(() => coder.encode(tf.tensor3d(plain3(boxes)), tf.tensor2d(plain2(anchors))))
    const expected = boxes.flatMap((row) => row.flatMap((box, a) => coder.encodeBox(box, anchors[a])))
    expectClose(offsets.dataSync(), expected, 1e-5)
    offsets.dispose()
  })

  it('decodes offsets back to the boxes, and encodes decoded boxes back to the offsets', () => {
    const before = tf.memory().numTensors
    const [roundTrip, offsets, again] = tf.tidy(() => {
      const a = tf.tensor2d(plain2(anchors))
      const x = tf.tensor3d(plain3(boxes))
      const d = tf.randomNormal([B, A, 4], 0, 2, 'float32', 3)
      return [coder.decode(coder.encode(x, a), a), d, coder.encode(coder.decode(d, a), a)]
    })
    expectClose(roundTrip.dataSync(), boxes.flat(2), 2e-6)
    expectClose(again.dataSync(), offsets.dataSync(), 2e-5)
    tf.dispose([roundTrip, offsets, again])
    expect(tf.memory().numTensors).toBe(before)
  })

  it('converts corners to centre-size and back with the plain rounding', () => {
    const corners = tf.tensor2d([[0.1, 0.2, 0.5, 0.9]])
    const cs = toCentreSize(corners)
    const [x1, y1, x2, y2] = [0.1, 0.2, 0.5, 0.9].map(Math.fround)
    const f = Math.fround
    // Bit for bit (x1 + x2) / 2 and x2 − x1 in float32: the matcher and the oracle rely on the same rounding.
    expect(Array.from(cs.dataSync())).toEqual([f(x1 + x2) / 2, f(y1 + y2) / 2, f(x2 - x1), f(y2 - y1)])
    expectClose(toCorners(cs).dataSync(), [0.1, 0.2, 0.5, 0.9], 1e-7)
    tf.dispose([corners, cs])
  })

  it('decodes a batch of predictions against the anchors, with the plain formula', () => {
    const offsets = [
      [0.5, -1, 0.3, -0.2],
      [0, 0, 0, 0],
    ]
    const a: Corners[] = [
      [0.1, 0.1, 0.3, 0.5],
      [0.5, 0.5, 1.1, 0.9],
    ]
    const decoded = tf.tidy(() => coder.decode(tf.tensor3d([offsets]), tf.tensor2d(plain2(a))))
    expectClose(
      decoded.dataSync(),
      offsets.flatMap((o, i) => coder.decodeBox(o, a[i])),
      1e-6,
    )
    decoded.dispose()
  })
})
