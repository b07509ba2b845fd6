// What the Evaluate page shows, in its URL hash (`#evaluate?run=3&epoch=8&split=val&iou=0.5&threshold=0.42&errors=miss`),
// so a reload, the back button and a link from the Train page land on the same report. The page keeps the hash current
// with replaceState (not a navigation), and remembers the last one for the nav rail's plain `#evaluate`.
import type { EvalErrorKind, EvalIou, EvalSplit } from '../../../../shared/api'
import { parseHash } from '../../state/usePage'

export interface EvaluateView {
  runId: number | null
  /** Null: the run's best checkpoint. */
  epoch: number | null
  split: EvalSplit
  iou: EvalIou
  threshold: number | null
  errors: EvalErrorKind
}

export const DEFAULT_VIEW: EvaluateView = { runId: null, epoch: null, split: 'val', iou: 0.5, threshold: null, errors: 'false-alarm' }

const positive = (raw: string | null) => (raw !== null && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null)

/** The view a hash asks for; anything missing or malformed is the default (val, IoU 0.5, best checkpoint). */
export function viewOf(hash: string): EvaluateView {
  const { page, params } = parseHash(hash)
  if (page !== 'evaluate') return DEFAULT_VIEW
  const iou = params.get('iou')
  const threshold = Number(params.get('threshold') ?? Number.NaN)
  return {
    runId: positive(params.get('run')),
    epoch: positive(params.get('epoch')),
    // Test only when the hash names it: never a fallback.
    split: params.get('split') === 'test' ? 'test' : 'val',
    iou: iou === '0.75' ? 0.75 : iou === 'coco' ? 'coco' : 0.5,
    threshold: threshold > 0 && threshold < 1 ? threshold : null,
    errors: params.get('errors') === 'miss' ? 'miss' : 'false-alarm',
  }
}

/** The hash for a view: only what differs from the defaults, so the Train page's link is just `#evaluate?run=3`. */
export function evaluateHash(view: Partial<EvaluateView>): string {
  const v = { ...DEFAULT_VIEW, ...view }
  const params = new URLSearchParams()
  if (v.runId !== null) params.set('run', String(v.runId))
  if (v.epoch !== null) params.set('epoch', String(v.epoch))
  if (v.split !== 'val') params.set('split', v.split)
  if (v.iou !== 0.5) params.set('iou', String(v.iou))
  if (v.threshold !== null) params.set('threshold', String(Number(v.threshold.toFixed(4))))
  if (v.errors !== 'false-alarm') params.set('errors', v.errors)
  const query = params.toString()
  return query ? `#evaluate?${query}` : '#evaluate'
}
