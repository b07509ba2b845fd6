// The learning rate per step: a short linear warm-up (Adam's first steps on freshly initialised SSD heads are where a
// loss blows up), then cosine decay to a small floor by the last planned step — the schedule users of detection
// trainers expect, and one that needs no tuning beyond the base rate.
//
// A run trained to a time budget learns how many steps fit only as it goes, so its plan can be re-sized mid-run
// (`replanned`): the warm-up ramp or the decay then continues from the rate of the step it is at, stretched or squeezed
// to the new last step, so the rate never jumps.

/** Warm-up length: 5 % of the run, at least 1 and at most 200 steps. */
export function warmupSteps(totalSteps: number): number {
  return Math.min(200, Math.max(1, Math.round(totalSteps * 0.05)))
}

/** The decay ends at this share of the base rate, not at zero, so the last steps still learn. */
export const FINAL_LR_FRACTION = 0.01

/** A run's learning-rate plan, as shares of the base rate (plain numbers: it is stored with checkpoints). */
export interface Schedule {
  /** The step at which the warm-up reaches the base rate. */
  warmup: number
  /** The last planned step: the decay reaches FINAL_LR_FRACTION there. */
  total: number
  /** Where the warm-up ramp starts: its step and share of the base rate (0 and 0 unless re-planned during warm-up). */
  rampFrom: { step: number; share: number }
  /** Where the cosine decay starts: its step and progress through the decay (the warm-up's end and 0 unless re-planned). */
  decayFrom: { step: number; progress: number }
}

/** The schedule of a run planned to `total` steps from the start. */
export function plannedSchedule(total: number): Schedule {
  const warmup = warmupSteps(total)
  return { warmup, total, rampFrom: { step: 0, share: 0 }, decayFrom: { step: warmup, progress: 0 } }
}

/**
 * What a budget run trains its first steps with, before it has measured how many fit: the longest warm-up's ramp
 * (its first steps are warm-up steps whatever the plan turns out to be).
 */
export const PROVISIONAL_SCHEDULE = plannedSchedule(4000)

function decayProgress(s: Schedule, step: number): number {
  const { step: from, progress } = s.decayFrom
  return Math.min(1, Math.max(0, progress + ((1 - progress) * (step - from)) / Math.max(1, s.total - from)))
}

/** The share of the base rate at `step` (1-based). */
export function shareAt(s: Schedule, step: number): number {
  if (step <= s.warmup) {
    const { step: from, share } = s.rampFrom
    return share + ((1 - share) * (step - from)) / Math.max(1, s.warmup - from)
  }
  return FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * decayProgress(s, step)))
}

export const rateAt = (s: Schedule, step: number, base: number) => base * shareAt(s, step)

/**
 * The plan re-sized at `step` (the last step trained) to end at `total`: the rest of the warm-up (sized to the new
 * total) or of the decay continues from where `step` left it, so the next step's rate follows on from this one's.
 */
export function replanned(s: Schedule, step: number, total: number): Schedule {
  const end = Math.max(total, step)
  if (step < s.warmup) {
    const warmup = Math.min(end, Math.max(step + 1, warmupSteps(end)))
    return { warmup, total: end, rampFrom: { step, share: shareAt(s, step) }, decayFrom: { step: warmup, progress: 0 } }
  }
  return { ...s, total: end, decayFrom: { step, progress: decayProgress(s, step) } }
}

/** Learning rate at `step` (1-based) of a run planned to `totalSteps` from the start. */
export function learningRateAt(step: number, totalSteps: number, base: number): number {
  return rateAt(plannedSchedule(totalSteps), step, base)
}
