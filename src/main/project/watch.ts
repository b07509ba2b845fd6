// Changes made to the open project by other processes: a `kindling import` or `kindling kindle` in a terminal beside
// the studio, a second studio on the same folder. They share the project's database (WAL), so each commit of theirs
// moves this connection's `data_version`; a short poll of that one pragma is all it costs while nothing happens, and
// the studio then tells its clients as it does for its own changes (the counts), plus that lists may have moved.
import type { StudioContext } from '../studio.js'
import type { Store } from '../store/index.js'

/** How often the database is asked; a change shows in the UI within about this long. */
export const WATCH_EVERY_MS = 1000

export interface ProjectWatch {
  stop(): void
}

export function watchProject(
  store: Store,
  studio: Pick<StudioContext, 'project' | 'projectChanged' | 'send'>,
  everyMs = WATCH_EVERY_MS,
): ProjectWatch {
  let seen = store.dataVersion()
  const timer = setInterval(() => {
    // The studio may have moved on to another project between two ticks; this watch is then about to be stopped.
    if (studio.project !== store || !store.db.open) return
    let now: number
    try {
      now = store.dataVersion()
    } catch {
      return // a busy or closing database: the next tick asks again
    }
    if (now === seen) return
    seen = now
    studio.projectChanged()
    studio.send({ event: 'project.external-change', payload: { dir: store.dir } })
  }, everyMs)
  // Never what keeps a process alive: a CLI command ends when its job does.
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
