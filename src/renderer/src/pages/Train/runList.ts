// The runs list kept current by `run.changed`: pure, for tests.
import type { Run } from '../../../../shared/api'

/** Put a run (new, or a newer state of one held) into a list kept newest first, as `runs.list` returns it. */
export function upsertRun(runs: readonly Run[], run: Run): Run[] {
  const others = runs.filter((r) => r.id !== run.id)
  const at = others.findIndex((r) => r.createdAt < run.createdAt || (r.createdAt === run.createdAt && r.id < run.id))
  return at === -1 ? [...others, run] : [...others.slice(0, at), run, ...others.slice(at)]
}

/** A run as its list row sums it up: "epoch 3 / 10", or for a run with a time budget "epoch 3 · 30 min". */
export const epochText = (run: Run) =>
  run.settings.minutes === undefined
    ? `epoch ${run.epoch} / ${run.settings.epochs}`
    : `epoch ${run.epoch} · ${minutesText(run.settings.minutes)}`

/** A time budget as the Train page says it: "30 min", "2.5 min". */
export const minutesText = (minutes: number) => `${minutes.toLocaleString('en')} min`

/** AP50 as the UI prints it (0.8123 → "0.812"), or a dash before the first evaluation. */
export const ap50Text = (ap50: number | null) => (ap50 === null ? '–' : ap50.toFixed(3))

/** A run's best score as its list row says it: "AP50 0.812" for a detector, "accuracy 0.934" for a classifier. */
export const bestScoreText = (run: Pick<Run, 'task' | 'bestAp50' | 'bestAccuracy'>) =>
  run.task === 'classify' ? `accuracy ${ap50Text(run.bestAccuracy)}` : `AP50 ${ap50Text(run.bestAp50)}`

/** A run that can go on from its last checkpoint. */
export const canResume = (run: Run) => run.state === 'cancelled' || run.state === 'failed'

/** A fine-tuned run's lineage: "fine-tuned from faces v1 (epoch 10)". */
export function lineageText(parent: NonNullable<Run['parent']>): string {
  const name = parent.name ?? (parent.runId === null ? 'a deleted run' : `run ${parent.runId}`)
  return `fine-tuned from ${name} (epoch ${parent.epoch})`
}
