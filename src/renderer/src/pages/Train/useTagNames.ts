// The project's image tag names (`tags.names`), for the classifier's tag choice: asked when the choice shows, and again
// when the project's counts change (an import, kindling) or the connection comes back.
import { useEffect, useState } from 'react'
import type { Counts } from '../../../../shared/api'
import { useConnection, useStudio } from '../../api/context'

export function useTagNames(counts: Counts, wanted: boolean): string[] | null {
  const studio = useStudio()
  const open = useConnection().state.status === 'open'
  const [names, setNames] = useState<string[] | null>(null)
  const key = `${counts.images} ${counts.labelled} ${counts.reviewed} ${counts.kindled}`
  useEffect(() => {
    if (!open || !wanted) return
    let current = true
    studio.request('tags.names', {}).then(
      (loaded) => current && setNames(loaded.names),
      () => current && setNames([]),
    )
    return () => {
      current = false
    }
  }, [studio, open, key, wanted])
  return names
}
