// The teachers run on the studio's own engine: face-api evaluated against our tfjs-core, on the backend initEngine()
// chose, with models from node_modules, and no tensors left behind.
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import {
  detectFaces,
  faceExpressionScorer,
  readPixels,
  ssdMobilenetV1Teacher,
  tinyFaceTeacher,
  toTensor,
} from '../../../src/main/kindle/index.js'
import { faceApiModelDir, fusedLayerKinds, loadFaceApi } from '../../../src/main/kindle/faceapi.js'
import { dlibFaces, genkiImages } from '../../helpers/fixtures.js'

let backend: string
beforeAll(async () => {
  backend = (await initEngine()).name
})

describe('teachers', () => {
  it('SSD MobileNetV1 finds the three faces in a dlib photo, on the engine’s backend, without leaking tensors', async () => {
    const teacher = await ssdMobilenetV1Teacher()
    const pixels = await readPixels(path.join(dlibFaces, '2008_002506.jpg'))
    const before = tf.memory().numTensors
    const faces = await teacher.detect(pixels, { minScore: 0.5 })
    expect(tf.memory().numTensors).toBe(before)
    expect(tf.getBackend()).toBe(backend === 'tensorflow-gpu' ? 'tensorflow' : backend)
    expect(faces).toHaveLength(3)
    for (const f of faces) {
      expect(f.score).toBeGreaterThan(0.5)
      expect(f.w).toBeGreaterThan(60)
    }
  })

  it('SSD MobileNetV1 with fused layers (batch norm folded, one op a layer) finds the same faces as face-api’s own', async () => {
    const fused = await ssdMobilenetV1Teacher()
    expect(fusedLayerKinds()).toBe(2) // both layer kinds matched in this face-api build
    const plain = loadFaceApi({ fuse: false })
    await plain.nets.ssdMobilenetv1.loadFromDisk(faceApiModelDir())
    const pixels = await readPixels(path.join(dlibFaces, '2008_004176.jpg'))
    const input = toTensor(pixels)
    try {
      const reference = await plain.nets.ssdMobilenetv1.locateFaces(
        input,
        new plain.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 200 }),
      )
      const faces = await fused.detect(pixels, { minScore: 0.5 })
      expect(faces).toHaveLength(7)
      expect(faces).toHaveLength(reference.length)
      faces.forEach((f, i) => {
        const r = reference[i]
        expect(f.score).toBeCloseTo(r.score, 3)
        for (const [a, b] of [
          [f.x, r.box.x],
          [f.y, r.box.y],
          [f.w, r.box.width],
          [f.h, r.box.height],
        ])
          expect(Math.abs(a - b)).toBeLessThan(0.05)
      })
    } finally {
      input.dispose()
    }
  })

  it('Tiny Face Detector and the expression net load and run too', async () => {
    const pixels = await readPixels(path.join(dlibFaces, '2008_002506.jpg'))
    const faces = await (await tinyFaceTeacher()).detect(pixels, { minScore: 0.3 })
    expect(faces.length).toBeGreaterThan(0)
    const happy = await (await faceExpressionScorer({ scale: 1, mirror: true })).happiness(pixels, faces)
    expect(happy).toHaveLength(faces.length)
    for (const h of happy) expect(h).toBeGreaterThanOrEqual(0)
  })

  it('zoom-out padding finds the face that fills a tight GENKI crop', async () => {
    // GENKI-SZSL val file0000000000004074.jpg: found by the default teacher only when zoomed out (measured).
    const teacher = await ssdMobilenetV1Teacher()
    const pixels = await readPixels(path.join(genkiImages, ZOOM_CASE))
    expect(await detectFaces(teacher, pixels, { minScore: 0.5, zoomOut: 0, zoomOutWhen: 'no-face' })).toHaveLength(0)
    const found = await detectFaces(teacher, pixels, { minScore: 0.5, zoomOut: 0.5, zoomOutWhen: 'no-face' })
    expect(found.length).toBeGreaterThan(0)
    for (const f of found) {
      expect(f.x).toBeGreaterThanOrEqual(0)
      expect(f.x + f.w).toBeLessThanOrEqual(pixels.width)
    }
  })
})

const ZOOM_CASE = 'file0000000000004074.jpg'
