// The mistakes at a threshold, a page at a time: the grid asks for the rows it shows and pages of `evaluations.errors`
// arrive as they are needed, so ten thousand false alarms cost what the screen shows. A new query (threshold, kind,
// class, IoU, or a report matched afresh after a fix in Review) starts again from nothing.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { EvalError, EvalErrorKind, EvalIou } from '../../../../shared/api'
import { useStudio } from '../../api/context'
import { errorMessage } from '../../state/errors'
import { studioThreshold } from './useEvaluation'

export const ERRORS_PAGE = 100

export interface ErrorQuery {
  evaluationId: number
  iou: EvalIou
  threshold: number
  kind: EvalErrorKind
  classIndex?: number
  /** Changes when the report was matched again (a label fixed): the same query has new answers. */
  version: string
}

export interface ErrorPages {
  /** Null until the first page has answered. */
  total: number | null
  item(index: number): EvalError | undefined
  /** Ask for the pages holding items first…last (inclusive). */
  ensure(first: number, last: number): void
  error: string | null
}

export function useErrorPages(query: ErrorQuery | null): ErrorPages {
  const studio = useStudio()
  // The pages of the current query; until its first page answers, the last query's stay on screen (no flash of an
  // empty grid on every step of the threshold).
  const [held, setHeld] = useState<{ generation: number; total: number | null; pages: ReadonlyMap<number, EvalError[]> }>({
    generation: 0,
    total: null,
    pages: new Map(),
  })
  const [error, setError] = useState<string | null>(null)
  const asked = useRef(new Set<number>())
  const queryText = query ? JSON.stringify(query) : ''
  const generation = useRef(0)

  const load = useCallback(
    (page: number) => {
      if (!query || asked.current.has(page)) return
      asked.current.add(page)
      const mine = generation.current
      const { version: _version, ...params } = query
      studio
        .request('evaluations.errors', {
          ...params,
          threshold: studioThreshold(params.threshold),
          offset: page * ERRORS_PAGE,
          limit: ERRORS_PAGE,
        })
        .then(
          (answer) => {
            if (mine !== generation.current) return
            setHeld((h) => {
              const pages = h.generation === mine ? new Map(h.pages) : new Map<number, EvalError[]>()
              return { generation: mine, total: answer.total, pages: pages.set(page, answer.items) }
            })
            setError(null)
          },
          (e: unknown) => {
            if (mine !== generation.current) return
            asked.current.delete(page) // asked again when the rows are next drawn
            setError(errorMessage(e))
          },
        )
    },
    // `query` is read through queryText.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [studio, queryText],
  )

  useEffect(() => {
    generation.current++
    asked.current = new Set()
    setError(null)
    if (!query) setHeld({ generation: generation.current, total: null, pages: new Map() })
    load(0)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load])

  const { pages, total } = held
  const item = useCallback((index: number) => pages.get(Math.floor(index / ERRORS_PAGE))?.[index % ERRORS_PAGE], [pages])
  const ensure = useCallback(
    (first: number, last: number) => {
      for (let page = Math.floor(first / ERRORS_PAGE); page <= Math.floor(last / ERRORS_PAGE); page++) load(page)
    },
    [load],
  )
  return { total, item, ensure, error }
}
