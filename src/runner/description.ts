// What the model folder's description (detector.json, written by every export) tells the runner: whether the model
// is a detector or a whole-image classifier, its class names, and the input it was exported for. Read by hand (no zod
// in the bundle); a folder without one — a bare TF.js model — is timed as it is, its task unknown.
import fs from 'node:fs'
import path from 'node:path'
import type { DescribedOutput } from './runtime.js'

export const DESCRIPTION_FILE = 'detector.json'

export interface ModelDescription {
  task: 'detect' | 'classify'
  name: string | null
  classes: string[]
  /** [1, height, width, 3], when the description says. */
  inputShape: number[] | null
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number')

/** The folder's description, null without one; an unreadable one is an error naming the file. */
export function readDescription(dir: string): ModelDescription | null {
  const file = path.join(dir, DESCRIPTION_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`, { cause: e })
  }
  const config = (json.config ?? {}) as Record<string, unknown>
  // An export says its task; a training checkpoint's config carries it (a classifier's is `classify`).
  const task = json.task === 'classify' || config.task === 'classify' ? 'classify' : 'detect'
  const classes = Array.isArray(json.classes) ? json.classes : Array.isArray(config.classes) ? config.classes : []
  const input = (json.input ?? {}) as Record<string, unknown>
  return {
    task,
    name: typeof json.name === 'string' ? json.name : typeof config.name === 'string' ? config.name : null,
    classes: classes.filter((c): c is string => typeof c === 'string'),
    inputShape: isNumbers(input.shape) ? input.shape : null,
  }
}

/**
 * Whether the opened model is what its description says: the input it was exported for and, for a classifier, one
 * [1, classes] output. Throws saying what differs (a folder whose files do not belong together).
 */
export function checkAgainstDescription(d: ModelDescription, inputShape: readonly number[], outputs: readonly DescribedOutput[]): void {
  if (d.inputShape && d.inputShape.join(',') !== inputShape.join(',')) {
    throw new Error(`${DESCRIPTION_FILE} says the input is [${d.inputShape.join(', ')}], but the model takes [${inputShape.join(', ')}]`)
  }
  if (d.task !== 'classify') return
  const shapes = outputs.map((o) => `[${o.shape.join(', ')}]`).join(', ')
  if (outputs.length !== 1 || outputs[0].shape.length !== 2 || outputs[0].shape[1] !== d.classes.length) {
    throw new Error(
      `${DESCRIPTION_FILE} says this is a classifier of ${d.classes.length} classes (one [1, ${d.classes.length}] output), ` +
        `but the model's outputs are ${shapes}`,
    )
  }
}
