// Another process changed the open project (`project.external-change`: a `kindling` command in a terminal, a second
// studio). The counts already came with `project.changed`; this is for a page's lists. It gives a number that moves
// with each change, for the dependencies of the effect that loads a list, and calls `onChange` (if given) too.
// Only mounted pages listen, so a list the user is not looking at is not refetched; it loads fresh when opened.
import { useState } from 'react'
import { useStudioEvents } from '../api/context'

export function useExternalChanges(onChange?: () => void): number {
  const [changes, setChanges] = useState(0)
  useStudioEvents((event) => {
    if (event.event !== 'project.external-change') return
    setChanges((n) => n + 1)
    onChange?.()
  })
  return changes
}
