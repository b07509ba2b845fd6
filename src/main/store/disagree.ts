// "Predictions disagree": whether a model's predicted boxes on a photo and its labels (kindled, human, imported) tell the
// same story. The rule is evaluation's, on one photo: predictions greedily matched to labels of the same class, most
// confident first, at IoU ≥ 0.5. The photo disagrees when a prediction matches no label (something the labels miss, or
// a false alarm) or a label is matched by no prediction (a miss, or a wrong label).
//
// The flag is kept per photo in `images.disagree` (migration 9; NULL = no model has predicted on it) so the review
// filter is an index seek. It is recomputed by triggers on `boxes` (see migration 9 for why there), which call the
// SQL function registered here with the photo's boxes as JSON: the matching is JavaScript, the bookkeeping SQL.
import type Database from 'better-sqlite3'
import { iou, type Corners } from '../../shared/boxes.js'

export const DISAGREE_IOU = 0.5

export interface RuleBox {
  classId: number
  x: number
  y: number
  w: number
  h: number
}

export interface ScoredBox extends RuleBox {
  score: number
}

const corners = (b: RuleBox): Corners => [b.x, b.y, b.x + b.w, b.y + b.h]

/**
 * Whether predictions and labels disagree on one photo. Predictions below `minScore` do not count (the predict job
 * stores only those at or above its minimum, so the store's recomputation passes 0).
 */
export function disagrees(predictions: readonly ScoredBox[], labels: readonly RuleBox[], minScore = 0): boolean {
  const ranked = predictions.filter((p) => p.score >= minScore).sort((a, b) => b.score - a.score)
  const matched = new Array<boolean>(labels.length).fill(false)
  for (const p of ranked) {
    const box = corners(p)
    let best = -1
    let bestIou = DISAGREE_IOU
    labels.forEach((l, i) => {
      if (matched[i] || l.classId !== p.classId) return
      const o = iou(box, corners(l))
      if (o >= bestIou) {
        best = i
        bestIou = o
      }
    })
    if (best < 0) return true // a prediction no label explains
    matched[best] = true
  }
  return matched.some((m) => !m) // a label no prediction found
}

/** The SQL function's name: `kindling_disagree(json_group_array(json_array(source, class_id, x, y, w, h, score)))`. */
export const DISAGREE_FUNCTION = 'kindling_disagree'

/** The SQL expression that recomputes one photo's flag from its boxes (`image`: an SQL expression for the photo's id). */
export const disagreeOf = (image: string) =>
  `(SELECT ${DISAGREE_FUNCTION}(json_group_array(json_array(source, class_id, x, y, w, h, score)))
    FROM boxes WHERE image_id = ${image})`

type Row = [string, number, number, number, number, number, number | null]

/**
 * Register the rule on a connection. Every connection that writes boxes must have it (the triggers call it):
 * openDatabase (database.ts) registers it on every project connection it opens, Store.open's included. A deterministic
 * function of its argument. (A plain `sqlite3` shell cannot write boxes of a version-9 project: "no such function" —
 * the price of one rule in one place.)
 */
export function registerDisagree(db: Database.Database): void {
  db.function(DISAGREE_FUNCTION, { deterministic: true }, (json: unknown) => {
    const rows = JSON.parse(String(json)) as Row[]
    const predictions: ScoredBox[] = []
    const labels: RuleBox[] = []
    for (const [source, classId, x, y, w, h, score] of rows) {
      if (source === 'predicted') predictions.push({ classId, x, y, w, h, score: score ?? 0 })
      else labels.push({ classId, x, y, w, h })
    }
    return disagrees(predictions, labels) ? 1 : 0
  })
}
