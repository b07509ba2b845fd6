// A mistake from the Evaluate page, opened in Review: `#review?image=42&mark=false-alarm&box=10,20,30,40&score=0.83&class=face`
// (or `mark=miss&label=17`, the labelled box the model missed, with the model's nearest box if it had one). Review
// draws the model's box over the photo, not editable (it is not a label), selects the missed label, and offers the
// one-step fixes. The page replaces its hash as the editor moves on, so the mark is read when the link is followed.
import { useEffect, useState } from 'react'
import type { EvalError, EvalErrorKind } from '../../../../shared/api'
import { parseHash } from '../../state/usePage'
import type { Rect } from './geometry'

export interface EvalMark {
  imageId: number
  kind: EvalErrorKind
  /** The model's box: a false alarm's, or the detection nearest a missed label; null when the model had none there. */
  prediction: (Rect & { score: number | null; className: string }) | null
  /** The missed labelled box (the photo's box id), to select. */
  labelBoxId: number | null
}

const whole = (raw: string | null) => (raw !== null && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null)

/** The mark a `#review?…` hash carries, or null. */
export function markOf(hash: string): EvalMark | null {
  const { page, params } = parseHash(hash)
  const imageId = whole(params.get('image'))
  const kind = params.get('mark')
  if (page !== 'review' || imageId === null || (kind !== 'false-alarm' && kind !== 'miss')) return null
  const numbers = (params.get('box') ?? '').split(',').map(Number)
  const score = params.get('score')
  const prediction =
    numbers.length === 4 && numbers.every(Number.isFinite) && numbers[2] > 0 && numbers[3] > 0
      ? {
          x: numbers[0],
          y: numbers[1],
          w: numbers[2],
          h: numbers[3],
          score: score !== null && Number.isFinite(Number(score)) ? Number(score) : null,
          className: params.get('class') ?? '',
        }
      : null
  return { imageId, kind, prediction, labelBoxId: whole(params.get('label')) }
}

/** The Review link for one of the Evaluate page's mistakes. */
export function reviewMarkHash(error: EvalError, classNames: readonly string[]): string {
  const params = new URLSearchParams({ image: String(error.image.id), mark: error.kind })
  const prediction =
    error.kind === 'false-alarm'
      ? { ...error.box, score: error.score, className: error.className }
      : error.nearest && { ...error.nearest, className: classNames[error.nearest.classIndex - 1] ?? '' }
  if (prediction) {
    params.set('box', [prediction.x, prediction.y, prediction.w, prediction.h].map((v) => Number(v.toFixed(1))).join(','))
    if (prediction.score !== null) params.set('score', prediction.score.toFixed(3))
    params.set('class', prediction.className)
  }
  if (error.kind === 'miss' && error.boxId !== null) params.set('label', String(error.boxId))
  return `#review?${params}`
}

/** The mark of the link last followed to Review (renewed by each navigation; the page's own replaceState keeps it). */
export function useEvalMark(): EvalMark | null {
  const [mark, setMark] = useState(() => markOf(location.hash))
  useEffect(() => {
    const renew = () => setMark(markOf(location.hash))
    window.addEventListener('hashchange', renew)
    return () => window.removeEventListener('hashchange', renew)
  }, [])
  return mark
}
