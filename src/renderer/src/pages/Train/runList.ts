// The runs list kept current by `run.changed`: pure, for tests.
import type { Run } from '../../../../shared/api'

/** Put a run (new, or a newer state of one held) into a list kept newest first, as `runs.list` returns it. */
export function upsertRun(runs: readonly Run[], run: Run): Run[] {
  const others = runs.filter((r) => r.id !== run.id)
  const at = others.findIndex((r) => r.createdAt < run.createdAt || (r.createdAt === run.createdAt && r.id < run.id))
  return at === -1 ? [...others, run] : [...others.slice(0, at), run, ...others.slice(at)]
}

/** A run as its list row sums it up: "epoch 3 / 10". */
export const epochText = (run: Run) => `epoch ${run.epoch} / ${run.settings.epochs}`

/** AP50 as the UI prints it (0.8123 → "0.812"), or a dash before the first evaluation. */
export const ap50Text = (ap50: number | null) => (ap50 === null ? '–' : ap50.toFixed(3))

/** A run that can go on from its last checkpoint. */
export const canResume = (run: Run) => run.state === 'cancelled' || run.state === 'failed'
