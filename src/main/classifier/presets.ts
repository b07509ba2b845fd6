// Named classifier configs, each proven to build (tests/unit/classifier/model.test.ts). Their classes are a
// placeholder tag's: a run stores its config with the classes of the tag it learns.
import { ClassifierConfig, type ClassifierConfigInput, tagClasses } from './config.js'

const definitions: Record<string, () => ClassifierConfigInput> = {
  // The seed's first step: AlexNet (Krizhevsky et al. 2012) on the whole photo at its 227×227 — the five convolutions
  // of the detector's AlexNet (single-tower widths, 'same' padding, no LRN), pool5, then fc6 and fc7 with dropout 0.5.
  // fc6/fc7 are 512 wide, not 4096: at 4096 they would hold 55M of the network's 58M parameters (over 650 MB of weights
  // and Adam moments) and most of each step's time on a 2-core machine, for two classes learned from a few thousand
  // photos; 512 keeps the paper's shape at a size a laptop trains in minutes.
  'alexnet-classifier': () => ({
    task: 'classify',
    name: 'alexnet-classifier',
    input: { width: 227, height: 227 },
    backbone: { name: 'alexnet' },
    head: { pool: 'flatten', hidden: [512, 512], dropout: 0.5 },
    classes: tagClasses('tag'),
  }),
  // For a Raspberry Pi: MobileNet V1 at half width on 160×160 (about a tenth of AlexNet's multiply-adds), its last
  // map (conv_pw_13, 5×5) averaged and one dense layer, as Keras' MobileNet classifier ends.
  'mobilenet-classifier-160': () => ({
    task: 'classify',
    name: 'mobilenet-classifier-160',
    input: { width: 160, height: 160 },
    backbone: { name: 'mobilenet-v1', alpha: 0.5 },
    head: { pool: 'average', hidden: [], dropout: 0 },
    classes: tagClasses('tag'),
  }),
}

export const classifierPresetNames = Object.keys(definitions)

/** A preset's config, parsed and fresh on every call (classes for `tag`, when given). */
export function classifierPreset(name: string, tag?: string): ClassifierConfig {
  const define = definitions[name]
  if (!define) throw new Error(`no classifier preset is called "${name}"; the presets are ${classifierPresetNames.join(', ')}`)
  const config = define()
  return ClassifierConfig.parse(tag === undefined ? config : { ...config, classes: tagClasses(tag) })
}
