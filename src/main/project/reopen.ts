// Where a fresh start lands: the latest recent project that is still on disk, so the user carries on where they left
// off (the desktop app and `kindling serve` without --project). None, or one that fails to open (a newer schema, a broken
// database), leaves the studio on Welcome, with the reason on the console: a start never fails for it.
import type { Studio } from '../studio.js'

export async function reopenLatest(studio: Studio): Promise<void> {
  const latest = studio.recent.latestExisting()
  if (!latest) return
  try {
    await studio.openProject(latest)
  } catch (error) {
    console.warn(`kindling: cannot reopen ${latest}:`, error instanceof Error ? error.message : error)
  }
}
