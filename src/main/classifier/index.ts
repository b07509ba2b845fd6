// Whole-image classifiers (a photo's image tag, e.g. smiling or not): config and presets → model on the detector's
// backbones → trainer (softmax cross-entropy) → metrics. Runs train them through src/main/train like detectors.
export { ClassifierConfig, ClassifierHead, isClassifierConfig, tagClasses, type ClassifierConfigInput } from './config.js'
export { classifierPreset, classifierPresetNames } from './presets.js'
export { buildClassifier, classifierPart, type Classifier } from './model.js'
export { argmax, classificationLoss, ClassifierTrainer, predictClasses } from './training.js'
export { scoreClassifications } from './metrics.js'
export { measureNormStatistics } from './norms.js'
