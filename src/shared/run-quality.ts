// What a training run's best score means in plain words, shared by every page that shows or uses a run (Train,
// predicting, Devices): one verdict, so a weak run is flagged the same way wherever the user meets it.

export type RunQuality = 'unscored' | 'weak' | 'fair' | 'good'

export interface RunVerdict {
  quality: RunQuality
  /** A few words for a badge: "Weak", "Usable", "Good". */
  label: string
  /** One or two sentences saying what the score means for the user's robot and what to do about it. */
  explanation: string
}

/** Below this AP50 on val a run misses or invents so many faces that predicting or deploying it needs a warning. */
export const WEAK_AP50 = 0.5
/** From this AP50 on val a run finds nearly every face its teacher finds. */
export const GOOD_AP50 = 0.85

/** The verdict on a run from its best val AP50 (null before its first evaluation). */
export function runVerdict(bestAp50: number | null): RunVerdict {
  if (bestAp50 === null) {
    return { quality: 'unscored', label: 'Not scored', explanation: 'The run has not been evaluated on val photos yet.' }
  }
  const percent = Math.round(bestAp50 * 100)
  if (bestAp50 < WEAK_AP50) {
    return {
      quality: 'weak',
      label: 'Weak',
      explanation: `AP50 ${percent}%: it misses many faces or finds faces that are not there. Train longer or on more labelled photos before relying on it.`,
    }
  }
  if (bestAp50 < GOOD_AP50) {
    return {
      quality: 'fair',
      label: 'Usable',
      explanation: `AP50 ${percent}%: it finds most faces, with some misses and false alarms. More photos or a longer run will improve it.`,
    }
  }
  return {
    quality: 'good',
    label: 'Good',
    explanation: `AP50 ${percent}%: it finds nearly every labelled face on the val photos with few false alarms.`,
  }
}
