// dlib-faces' human boxes (training.xml + testing.xml), read straight from the imglab XML, and the greedy matching
// the kindling tests and the teacher-quality bench score teachers with.
import fs from 'node:fs'
import path from 'node:path'
import { iou, type FaceBox } from '../../../src/main/kindle/index.js'
import { dlibFaces } from '../../helpers/fixtures.js'

type Rect = { x: number; y: number; w: number; h: number; score?: number | null }

/** dlib imglab XML, just enough of it: `<image file=…>` holding `<box top left width height>`. */
export function readDlibXml(file: string): { file: string; boxes: FaceBox[] }[] {
  const xml = fs.readFileSync(file, 'latin1')
  return [...xml.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)].map((m) => ({
    file: m[1],
    boxes: [...m[2].matchAll(/<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'/g)].map((b) => ({
      x: Number(b[2]),
      y: Number(b[1]),
      w: Number(b[3]),
      h: Number(b[4]),
      score: 1,
    })),
  }))
}

/** Every labelled dlib-faces photo with its human boxes (43 faces). */
export const dlibLabels = () => [...readDlibXml(path.join(dlibFaces, 'training.xml')), ...readDlibXml(path.join(dlibFaces, 'testing.xml'))]

/** Greedy one-to-one matching at IoU ≥ `threshold`, highest-scoring detections first: how many labels were found. */
export function matchCount(human: Rect[], kindled: Rect[], threshold = 0.5): number {
  const used = new Set<number>()
  let matched = 0
  for (const d of [...kindled].sort((a, b) => (b.score ?? 0) - (a.score ?? 0))) {
    let best = threshold
    let which = -1
    human.forEach((g, i) => {
      const v = iou({ ...g, score: 1 }, { ...d, score: 1 })
      if (!used.has(i) && v >= best) [best, which] = [v, i]
    })
    if (which >= 0) {
      used.add(which)
      matched++
    }
  }
  return matched
}
