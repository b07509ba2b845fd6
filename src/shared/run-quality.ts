// What a training run's best score means in plain words, shared by every page that shows or uses a run (Train,
// predicting, Devices): one verdict, so a weak run is flagged the same way wherever the user meets it. And the data
// side: how many labelled train photos a usable detector needs, said before a run starts (Train page, `kindling train`).
// A detector is judged by its AP50, a whole-image classifier by its accuracy, each in its own words.
import type { Run, RunTask } from './api.js'

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

/** Below this val accuracy a classifier gets a photo's tag wrong one time in four or more (a coin toss: one in two). */
export const WEAK_ACCURACY = 0.75
/** From this val accuracy a classifier tags photos about as well as kindled labels agree with people's (issue 15: 0.91). */
export const GOOD_ACCURACY = 0.9

/** A run's best score: its val AP50 for a detector, its val accuracy for a classifier (null before an evaluation). */
export const bestScore = (run: Pick<Run, 'task' | 'bestAp50' | 'bestAccuracy'>): number | null =>
  run.task === 'classify' ? run.bestAccuracy : run.bestAp50

/**
 * The verdict on a run from its best score (null before its first evaluation): a detector's val AP50, or with task
 * `classify` a classifier's val accuracy (`bestScore` picks the right one of a run).
 */
export function runVerdict(best: number | null, task: RunTask = 'detect'): RunVerdict {
  if (best === null) {
    return { quality: 'unscored', label: 'Not scored', explanation: 'The run has not been evaluated on val photos yet.' }
  }
  if (task === 'classify') return classifierVerdict(best)
  const bestAp50 = best
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

function classifierVerdict(accuracy: number): RunVerdict {
  const percent = Math.round(accuracy * 100)
  if (accuracy < WEAK_ACCURACY) {
    return {
      quality: 'weak',
      label: 'Weak',
      explanation: `Accuracy ${percent}%: it gets the tag wrong on many val photos (guessing gets about 50%). Train longer or tag more photos before relying on it.`,
    }
  }
  if (accuracy < GOOD_ACCURACY) {
    return {
      quality: 'fair',
      label: 'Usable',
      explanation: `Accuracy ${percent}%: it tags most val photos as their labels say, with some mistakes. More tagged photos or a longer run will improve it.`,
    }
  }
  return {
    quality: 'good',
    label: 'Good',
    explanation: `Accuracy ${percent}%: it tags nearly every val photo as its labels say.`,
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

/** What a classifier run's scores mean, in plain words. */
export const CLASSIFIER_TERMS = {
  accuracy: 'Accuracy: the share of val photos whose tag the classifier gets right, from 0 to 100 %.',
  precision: 'Precision of a class: of the val photos the classifier put in it, the share its labels put there too.',
  recall: 'Recall of a class: of the val photos labelled so, the share the classifier found.',
  confusion: 'The confusion matrix counts val photos by their label (rows) and by what the classifier said (columns); the diagonal is right.',
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
