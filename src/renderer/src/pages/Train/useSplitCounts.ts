// The project's labelled photos per split for the form's label choice (`train.counts`), asked again whenever the
// project's counts change (an import, kindling, a review) or the connection comes back, so the form never shows a
// count the studio would not train on. With a tag: the photos a classifier of it would use.
import { useEffect, useState } from 'react'
import type { Counts, SplitCounts } from '../../../../shared/api'
import { useConnection, useStudio } from '../../api/context'
import { errorMessage } from '../../state/errors'

export function useSplitCounts(labels: 'all' | 'reviewed', counts: Counts, tag?: string): { split: SplitCounts | null; error: string | null } {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [split, setSplit] = useState<SplitCounts | null>(null)
  const [error, setError] = useState<string | null>(null)
  // The project's tallies as one key: a new counts object with the same numbers asks nothing.
  const key = `${counts.images} ${counts.labelled} ${counts.reviewed} ${counts.kindled} ${counts.boxes}`

  useEffect(() => {
    if (!open) return
    let current = true
    studio.request('train.counts', tag ? { labels, tag } : { labels }).then(
      (loaded) => {
        if (!current) return
        setSplit(loaded)
        setError(null)
      },
      (e: unknown) => current && setError(errorMessage(e)),
    )
    return () => {
      current = false
    }
  }, [studio, open, labels, key, tag])
  return { split, error }
}
