import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { exportModel, exportPreset, modelFilesHash, presetModel } from '../../../src/main/deploy/export-model.js'
import * as ort from 'onnxruntime-node'
import { anchorsFor, DetectionDecoder, preset } from '../../../src/main/detector/index.js'
import { initEngine } from '../../../src/main/engine/index.js'
import { modelFolder } from '../../../src/runner/load-model.js'
import { fixedInput } from '../../../src/runner/fixed-input.js'
import { tempDir } from '../../helpers/fixtures.js'

// The Pi default and the smallest preset: exporting it takes about a second.
const presetName = 'mobilenet-ssd-320x240'

const predict = (model: tfl.LayersModel, input: tf.Tensor) =>
  (model.predict(input) as tf.Tensor[]).map((t) => {
    const values = t.dataSync().slice()
    t.dispose()
    return values
  })

describe('exporting a detector for the device', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm' })
  })

  it('writes model.json and one shard that load back, through the runner’s loader, into the same detector', async () => {
    const dir = path.join(tempDir(), 'model')
    const model = await presetModel(presetName)
    const input = tf.tensor(fixedInput([1, 240, 320, 3]), [1, 240, 320, 3])
    const expected = predict(model, input)
    const exported = await exportModel({ model, config: preset(presetName), origin: { preset: presetName } }, dir, { formats: ['tfjs'] })
    model.dispose()
    expect(exported.files).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.json'])
    expect(fs.readdirSync(dir).sort()).toEqual(exported.files)
    expect(exported.sha256).toMatch(/^[0-9a-f]{64}$/)

    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))
    expect(json.format).toBe('layers-model')
    expect(json.weightsManifest).toHaveLength(1)
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin'])
    const weights: { shape: number[]; dtype: string }[] = json.weightsManifest[0].weights
    expect(new Set(weights.map((w) => w.dtype))).toEqual(new Set(['float32']))
    const floats = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)
    expect(fs.statSync(path.join(dir, 'group1-shard1of1.bin')).size).toBe(floats * 4)

    const loaded = await tfl.loadLayersModel(modelFolder(dir))
    expect(loaded.inputs[0].shape).toEqual([null, 240, 320, 3])
    expect(loaded.outputNames).toEqual(['classLogits', 'boxOffsets'])
    const actual = predict(loaded, input)
    expect(actual.map((v) => v.length)).toEqual(expected.map((v) => v.length))
    actual.forEach((values, i) => expect(values).toEqual(expected[i]))
    // Not a vacuous match: the outputs vary.
    expect(new Set(actual[1].slice(0, 100)).size).toBeGreaterThan(50)
    input.dispose()
    loaded.dispose()
  })

  it('writes ONNX and a description from which a program without the studio finds the same boxes', async () => {
    const dir = path.join(tempDir(), 'export')
    // An untrained head scores every anchor about ½; spread its logits as a trained one's are, so the top five are
    // five clear places, not a tie that float rounding orders.
    const spread = await presetModel(presetName)
    for (const layer of spread.layers.filter((l) => /^head\d+_class$/.test(l.name))) {
      layer.setWeights(layer.getWeights().map((w) => tf.mul(w, 40)))
    }
    const exported = await exportModel({ model: spread, config: preset(presetName), origin: { preset: presetName } }, dir)
    spread.dispose()
    expect(exported.files).toEqual(['detector.json', 'group1-shard1of1.bin', 'model.json', 'model.onnx'])
    expect(fs.readdirSync(dir).sort()).toEqual(exported.files)
    const description = JSON.parse(fs.readFileSync(path.join(dir, 'detector.json'), 'utf8'))
    expect(description).toMatchObject({
      format: 'kindling-detector',
      origin: { preset: presetName },
      files: { onnx: 'model.onnx', tfjs: 'model.json' },
      input: { name: 'image', shape: [1, 240, 320, 3], layout: 'NHWC' },
      classes: ['face'],
    })

    // Outside the studio: ONNX Runtime and the description, nothing else — softmax, the box coder's formula, top 5.
    const shape = description.input.shape as number[]
    const pixels = fixedInput(shape)
    const session = await ort.InferenceSession.create(path.join(dir, description.files.onnx), { intraOpNumThreads: 1 })
    const out = await session.run({ [description.input.name]: new ort.Tensor('float32', pixels, shape) })
    await session.release()
    const logits = out.classLogits.data as Float32Array
    const offsets = out.boxOffsets.data as Float32Array
    const anchors: number[] = description.anchors.boxes
    const [v0, v1, v2, v3] = description.boxCoder.variances as number[]
    const count = description.anchors.count as number
    expect(out.classLogits.dims).toEqual(description.outputs.classLogits.shape)
    const faceScore = (a: number) => 1 / (1 + Math.exp(logits[a * 2] - logits[a * 2 + 1]))
    const clip = (x: number) => Math.min(1, Math.max(0, x))
    const theirs = Array.from({ length: count }, (_, a) => a)
      .sort((p, q) => faceScore(q) - faceScore(p))
      .slice(0, 5)
      .map((a) => {
        const [x1, y1, x2, y2] = anchors.slice(a * 4, a * 4 + 4)
        const [aw, ah, acx, acy] = [x2 - x1, y2 - y1, (x1 + x2) / 2, (y1 + y2) / 2]
        const [dx, dy, dw, dh] = offsets.slice(a * 4, a * 4 + 4)
        const [cx, cy, w, h] = [dx * v0 * aw + acx, dy * v1 * ah + acy, Math.exp(dw * v2) * aw, Math.exp(dh * v3) * ah]
        return { score: faceScore(a), box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map(clip) }
      })

    // The studio: its TF.js model and its own decoder, every threshold opened up so that it too returns the top 5.
    const config = preset(presetName)
    const model = await tfl.loadLayersModel(modelFolder(dir))
    const decoder = new DetectionDecoder({ ...config, decoding: { scoreThreshold: 0, iouThreshold: 1, topK: 5 } }, anchorsFor(config).boxes)
    const [classLogits, boxOffsets] = model.predict(tf.tensor(pixels, shape)) as tf.Tensor3D[]
    const [ours] = await decoder.decode(classLogits, boxOffsets)
    tf.dispose([classLogits, boxOffsets])
    decoder.dispose()
    model.dispose()
    expect(ours).toHaveLength(5)
    ours.forEach((d, i) => {
      expect(theirs[i].score).toBeCloseTo(d.score, 4)
      theirs[i].box.forEach((x, k) => expect(x).toBeCloseTo(d.box[k], 4))
    })
  })

  it('names a model by its content: the same seed gives the same sha256, another seed or random weights another', async () => {
    const root = tempDir()
    const a = await exportPreset(presetName, path.join(root, 'a'), { seed: 7 })
    const b = await exportPreset(presetName, path.join(root, 'b'), { seed: 7 })
    const c = await exportPreset(presetName, path.join(root, 'c'), { seed: 8 })
    const d = await exportPreset(presetName, path.join(root, 'd'), { randomWeights: true })
    expect(b.sha256).toBe(a.sha256)
    expect(fs.readFileSync(path.join(b.dir, 'model.json'))).toEqual(fs.readFileSync(path.join(a.dir, 'model.json')))
    expect(new Set([a.sha256, c.sha256, d.sha256]).size).toBe(3)

    // One flipped byte in the weights is another model.
    const shard = path.join(a.dir, 'group1-shard1of1.bin')
    const bytes = fs.readFileSync(shard)
    bytes[bytes.length >> 1] ^= 1
    fs.writeFileSync(shard, bytes)
    expect(modelFilesHash(a.dir, a.files)).not.toBe(a.sha256)
  })

  it('refuses a preset that does not exist, naming the presets', async () => {
    await expect(exportPreset('alexnet-ssd-1080p', path.join(tempDir(), 'x'))).rejects.toThrow(
      /no detector preset is called "alexnet-ssd-1080p"; the presets are .*mobilenet-ssd-320x240/,
    )
  })
})

describe('loading a model folder', () => {
  it('names a missing model.json and a missing shard by path', async () => {
    const empty = tempDir()
    await expect(tfl.loadLayersModel(modelFolder(empty))).rejects.toThrow(`the model file ${path.join(empty, 'model.json')} does not exist`)

    const dir = path.join(tempDir(), 'model')
    await exportPreset(presetName, dir)
    fs.rmSync(path.join(dir, 'group1-shard1of1.bin'))
    await expect(tfl.loadLayersModel(modelFolder(dir))).rejects.toThrow(
      `the weight file ${path.join(dir, 'group1-shard1of1.bin')} does not exist`,
    )
  })

  it('refuses weight paths that lead out of the model folder', async () => {
    const dir = path.join(tempDir(), 'model')
    await exportPreset(presetName, dir)
    const jsonFile = path.join(dir, 'model.json')
    const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'))
    for (const shard of ['../secret.bin', '/etc/passwd']) {
      json.weightsManifest[0].paths = [shard]
      fs.writeFileSync(jsonFile, JSON.stringify(json))
      await expect(tfl.loadLayersModel(modelFolder(dir))).rejects.toThrow(
        `names the weight file "${shard}", which is not inside the model folder`,
      )
    }
  })
})
