// What a training run's best score means in plain words, shared by every page that shows or uses a run (Train,
// predicting, Devices): one verdict, so a weak run is flagged the same way wherever the user meets it. And the data
// side: how many labelled train photos a usable detector needs, said before a run starts (Train page, `kindling train`).

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

/** What the scores a run reports mean, in plain words (the Train page shows it beside them). */
export const SCORE_TERMS = {
  ap50:
    'AP50: how well the run finds the faces labelled on the val photos, from 0 to 100 %. A found box counts when it ' +
    'overlaps the label by at least half; false alarms and misses both lower it.',
  ap: 'AP: the same, averaged over stricter overlaps (50 % to 95 %): how tightly the boxes fit the faces.',
  recall: 'Recall: the share of labelled faces it finds at all.',
} as const

/**
 * The fewest labelled train photos to train on without a warning. Measured (docs/student.md, "How many photos"): the
 * Pi preset from its pretrained start, trained the same 40 steps on N GENKI photos and scored on the same 80 GENKI val
 * photos, scored AP50 0.69–0.80 for every N from 5 to 50 and 0.88 at 100 — the only N that reached GOOD_AP50.
 */
export const MIN_TRAIN_PHOTOS = 100

/**
 * A warning when a run would learn from fewer labelled photos than a detector that finds nearly every face needs
 * (`photos`: those it trains on, after any held out to evaluate), or null.
 */
export function tooFewPhotosWarning(photos: number): string | null {
  if (photos >= MIN_TRAIN_PHOTOS) return null
  return (
    `Only ${photos} labelled photo${photos === 1 ? '' : 's'} to train on: a detector that finds nearly every face ` +
    `needs about ${MIN_TRAIN_PHOTOS} (measured on GENKI faces). It will train, but expect missed faces and false ` +
    `alarms: import and kindle more photos first.`
  )
}
