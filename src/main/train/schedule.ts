// The learning rate per step: a short linear warm-up (Adam's first steps on freshly initialised SSD heads are where a
// loss blows up), then cosine decay to a small floor by the last planned step — the schedule users of detection
// trainers expect, and one that needs no tuning beyond the base rate.

/** Warm-up length: 5 % of the run, at least 1 and at most 200 steps. */
export function warmupSteps(totalSteps: number): number {
  return Math.min(200, Math.max(1, Math.round(totalSteps * 0.05)))
}

/** The decay ends at this share of the base rate, not at zero, so the last steps still learn. */
export const FINAL_LR_FRACTION = 0.01

/** Learning rate at `step` (1-based) of `totalSteps`. */
export function learningRateAt(step: number, totalSteps: number, base: number): number {
  const warmup = warmupSteps(totalSteps)
  if (step <= warmup) return (base * step) / warmup
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup))
  return base * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * progress)))
}
