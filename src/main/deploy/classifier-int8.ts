// Whole-image classifiers are exported and deployed in fp32 only: the quantizer and its accuracy check (calibration on
// train photos, AP50 on val with the detector's decoder) are a detector's. One refusal, said wherever int8 is asked of
// a classifier (the Train page's Export, `kindling export-model --int8`, a deploy at int8), naming the model.
import fs from 'node:fs'
import path from 'node:path'

export const classifierInt8Refusal = (model: string) =>
  `${model} is a whole-image classifier: int8 is made and scored for detectors only (by AP50), so a classifier is ` +
  'exported and deployed in fp32 — leave int8 off'

/** Whether a model folder (a checkpoint or an export) holds a whole-image classifier, as its detector.json says. */
export function isClassifierFolder(dir: string): boolean {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'detector.json'), 'utf8')) as { task?: unknown; config?: { task?: unknown } }
    return json.task === 'classify' || json.config?.task === 'classify'
  } catch {
    return false
  }
}
