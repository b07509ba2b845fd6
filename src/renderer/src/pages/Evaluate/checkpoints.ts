// A run's checkpoints, as the Evaluate page offers them: one per evaluation during training (its epoch and AP50 on
// val), the best first and marked, then the others newest first.
import type { Run, RunEval } from '../../../../shared/api'

export interface CheckpointChoice {
  epoch: number
  best: boolean
  label: string
}

export function checkpointChoices(
  run: Pick<Run, 'bestCheckpoint'>,
  evals: readonly Pick<RunEval, 'epoch' | 'ap50' | 'checkpoint'>[],
): CheckpointChoice[] {
  // A resumed run may have evaluated an epoch twice: the later evaluation is the checkpoint on disk.
  const byEpoch = new Map<number, Pick<RunEval, 'epoch' | 'ap50' | 'checkpoint'>>()
  for (const e of evals) byEpoch.set(e.epoch, e)
  const all = [...byEpoch.values()].sort((a, b) => b.epoch - a.epoch)
  const best = all.find((e) => e.checkpoint === run.bestCheckpoint) ?? null
  const label = (e: Pick<RunEval, 'epoch' | 'ap50'>) => `epoch ${e.epoch} · AP50 ${e.ap50.toFixed(3)} on val`
  return [
    ...(best ? [{ epoch: best.epoch, best: true, label: `Best: ${label(best)}` }] : []),
    ...all.filter((e) => e !== best).map((e) => ({ epoch: e.epoch, best: false, label: label(e) })),
  ]
}
