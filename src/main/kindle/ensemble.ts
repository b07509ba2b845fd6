// Ensembles: several teachers look at the same photo and their boxes are merged into one set, either by `union-nms`
// (every teacher's boxes together, thinned by greedy NMS: a face any teacher finds is kept) or by `wbf`, weighted box
// fusion (Solovyev et al., 2019: IoU clusters fused score-weighted, scores scaled by the share of teachers that agree).
// The ensemble is itself a Teacher, so zoom-out, smiles and the kindling job treat it like any other. See
// docs/teachers.md#ensembles.
import { iou, nms, weightedCorners, type DetectOptions, type FaceBox, type Pixels, type Teacher } from './teachers.js'
import type { EnsembleMethod } from '../../shared/teachers.js'

/** A box with the index of the teacher that found it. */
export interface TaggedBox extends FaceBox {
  teacher: number
}

export interface FusionOptions {
  /** Boxes overlapping a cluster's fused box by more than this join it. WBF's paper uses 0.55. */
  iou: number
  /** Weight of each teacher (default 1 each): scales its scores' pull on coordinates and its share of agreement. */
  weights?: number[]
}

export const WBF_IOU = 0.55
export const UNION_NMS_IOU = 0.5

/** The union of every teacher's boxes, thinned by greedy NMS (best score first). Scores are kept as they were. */
export function unionNms(perTeacher: FaceBox[][], threshold = UNION_NMS_IOU): FaceBox[] {
  return nms(perTeacher.flat(), threshold)
}

interface Cluster {
  members: TaggedBox[]
  fused: FaceBox
}

/** Score-weighted corners and weighted mean score of a cluster (weights: teacher weight × score). */
function fuse(members: TaggedBox[], weights: number[]): FaceBox {
  const weightSum = members.reduce((sum, b) => sum + weights[b.teacher], 0)
  const score = members.reduce((sum, b) => sum + weights[b.teacher] * b.score, 0) / weightSum
  const corners = weightedCorners(members, (b) => weights[b.teacher] * b.score)
  // All scores zero: the plain mean still places the box sensibly.
  return { ...(corners ?? weightedCorners(members, () => 1)!), score: corners ? score : 0 }
}

/**
 * Weighted box fusion. Boxes are taken best score first; each joins the first cluster whose fused box it overlaps by
 * more than `iou` (the fused box is recomputed as it grows), or starts a new cluster. A cluster's final score is its
 * weighted mean score × (weight of the distinct teachers in it ÷ weight of all teachers), so agreement raises
 * confidence and a lone teacher's box is discounted. A teacher's second box in the same cluster pulls the coordinates
 * but does not count as more agreement. Output best score first.
 */
export function weightedBoxFusion(perTeacher: FaceBox[][], options: FusionOptions = { iou: WBF_IOU }): FaceBox[] {
  const weights = options.weights ?? perTeacher.map(() => 1)
  if (weights.length !== perTeacher.length) {
    throw new Error(`weighted box fusion: ${weights.length} weights for ${perTeacher.length} teachers`)
  }
  const total = weights.reduce((s, w) => s + w, 0)
  if (!(total > 0)) throw new Error("weighted box fusion: the teachers' weights must add up to more than 0")
  const all: TaggedBox[] = perTeacher.flatMap((boxes, teacher) => boxes.map((b) => ({ ...b, teacher })))
  all.sort((a, b) => b.score - a.score)
  const clusters: Cluster[] = []
  for (const box of all) {
    let home: Cluster | undefined
    let best = options.iou
    for (const c of clusters) {
      const v = iou(c.fused, box)
      if (v > best) [best, home] = [v, c]
    }
    if (home) {
      home.members.push(box)
      home.fused = fuse(home.members, weights)
    } else {
      clusters.push({ members: [box], fused: fuse([box], weights) })
    }
  }
  return clusters
    .map((c) => {
      const agreeing = [...new Set(c.members.map((m) => m.teacher))].reduce((s, t) => s + weights[t], 0)
      return { ...c.fused, score: c.fused.score * Math.min(1, agreeing / total) }
    })
    .sort((a, b) => b.score - a.score)
}

/** Merge per-teacher boxes by `method`. */
export function mergeTeachers(perTeacher: FaceBox[][], method: EnsembleMethod): FaceBox[] {
  return method === 'wbf' ? weightedBoxFusion(perTeacher) : unionNms(perTeacher)
}

/**
 * The score each member runs at inside a WBF ensemble whose own threshold is `minScore`: a face both of two teachers
 * see at 0.3 and 0.7 fuses to 0.5, so members must report boxes below the ensemble's bar. Half the bar keeps the
 * boxes that can plausibly reach it without flooding the fusion with background.
 */
export const memberMinScore = (minScore: number, method: EnsembleMethod) => (method === 'wbf' ? minScore / 2 : minScore)

export function ensembleVersion(members: { name: string; version: string }[], method: EnsembleMethod): string {
  const iou = method === 'wbf' ? WBF_IOU : UNION_NMS_IOU
  return `${members.map((m) => `${m.name} ${m.version}`).join(' + ')}; ${method} iou ${iou}`
}

/** A teacher made of teachers: each detects on the same pixels, then their boxes are merged. */
export function ensembleTeacher(name: string, members: Teacher[], method: EnsembleMethod): Teacher {
  return {
    name,
    version: ensembleVersion(members, method),
    async detect(image: Pixels, { minScore }: DetectOptions): Promise<FaceBox[]> {
      const perTeacher: FaceBox[][] = []
      // One after another: each member already uses the whole thread's engine, so running them together gains nothing.
      for (const m of members) perTeacher.push(await m.detect(image, { minScore: memberMinScore(minScore, method) }))
      return mergeTeachers(perTeacher, method).filter((b) => b.score >= minScore)
    },
  }
}
