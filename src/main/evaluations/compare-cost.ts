// What a run's own model costs a frame: parameters and multiply-adds, counted as `kindling presets` counts them
// (detector/summary.ts). A run's model is its preset's with the project's classes, so a run with the preset's number of
// classes costs what the preset's stored figures say (train/preset-facts.ts) — no model is built. Any other (a second
// class, a fine-tune's extra classes: each widens the class head) is built once from the run's stored config and
// summed, which takes a fraction of a second; the figures are kept for the life of the process.
import { buildClassifier, classifierPreset, classifierPresetNames, isClassifierConfig, type ClassifierConfig } from '../classifier/index.js'
import { buildDetector, preset, presetNames, summarize, type DetectorConfig } from '../detector/index.js'
import { engineInfo, initEngine } from '../engine/index.js'
import { COSTS } from '../train/index.js'

export interface ModelCost {
  params: number
  macs: number
}

const built = new Map<string, ModelCost>()

/** The config with its class names left out: two models that differ only in the classes' names cost the same. */
function shapeKey(config: DetectorConfig | ClassifierConfig): string {
  const { classes, ...rest } = config as { classes: string[] }
  return JSON.stringify({ ...rest, classes: classes.length })
}

/** The shape of the preset's own model, which its stored figures are of; null for a name no preset has now. */
function presetShape(presetName: string): string | null {
  const own = classifierPresetNames.includes(presetName)
    ? classifierPreset(presetName)
    : presetNames.includes(presetName)
      ? preset(presetName)
      : null
  return own && shapeKey(own)
}

/** A run's parameters and multiply-adds a frame, or null when its config cannot be built (a preset since removed). */
export async function runModelCost(presetName: string, config: unknown): Promise<ModelCost | null> {
  if (config === null || typeof config !== 'object' || !('classes' in config)) return null
  const typed = config as DetectorConfig | ClassifierConfig
  const key = shapeKey(typed)
  const stored = COSTS[presetName]
  if (stored && presetShape(presetName) === key) return { params: stored.params, macs: stored.macs }
  const known = built.get(key)
  if (known) return known
  try {
    if (engineInfo() === null) await initEngine()
    const model = isClassifierConfig(typed) ? buildClassifier(typed).model : buildDetector(typed).model
    try {
      const { params, macs } = summarize(model)
      built.set(key, { params, macs })
      return { params, macs }
    } finally {
      model.dispose()
    }
  } catch {
    // A config this version cannot build has no figures: the table says "—" rather than a guess.
    return null
  }
}
