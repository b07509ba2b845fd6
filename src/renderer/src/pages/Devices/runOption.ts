// How the Devices page's model choice names a trained run: a detector by its AP50, a whole-image classifier as one
// (with the tag it learned) by its accuracy, each flagged when weak by the verdict every page uses.
import type { Run } from '../../../../shared/api'
import { bestScore, runVerdict } from '../../../../shared/run-quality'

/** A run in the model choice: its name, what it is, preset, best score and date, so two runs of one preset tell apart. */
export function runOption(run: Pick<Run, 'name' | 'task' | 'preset' | 'bestAp50' | 'bestAccuracy' | 'createdAt' | 'settings'>): string {
  const best = bestScore(run)
  const classifier = run.task === 'classify'
  const score = best === null ? 'not scored' : `${classifier ? 'accuracy' : 'AP50'} ${Math.round(best * 100)} %`
  const weak = runVerdict(best, run.task).quality === 'weak' ? ' — weak' : ''
  const kind = classifier ? `classifier of ${run.settings.tag ?? 'a tag'} · ` : ''
  return `${run.name} · ${kind}${run.preset} · ${score} · ${new Date(run.createdAt).toLocaleDateString()}${weak}`
}
