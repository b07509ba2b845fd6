// A whole-image classifier is a config like a detector's: the same backbones (detector/backbones), then a head that
// pools the last feature map and ends in one score per class. Validated with zod and stored with every run (`task`
// tells it from a detector config there), so a preset can change later without changing what old runs were.
import { z } from 'zod'
import { Backbone } from '../detector/index.js'

const PositiveInt = z.number().int().positive()

export const ClassifierHead = z.strictObject({
  /**
   * How the last feature map becomes a vector: `flatten` keeps where things are (AlexNet's pool5 → fc6), `average` is
   * the global average pool of MobileNet's classifier (no weights, any input size).
   */
  pool: z.enum(['flatten', 'average']),
  /** Widths of the hidden fully connected layers (ReLU, then dropout) before the class layer; none: straight to it. */
  hidden: z.array(PositiveInt).default([]),
  /** Dropout after each hidden layer while training (AlexNet's 0.5); nothing at inference. */
  dropout: z.number().min(0).max(0.9).default(0),
})
export type ClassifierHead = z.infer<typeof ClassifierHead>

export const ClassifierConfig = z.strictObject({
  task: z.literal('classify'),
  name: z.string().min(1),
  input: z.strictObject({ width: PositiveInt, height: PositiveInt }),
  backbone: Backbone,
  head: ClassifierHead,
  /** Class names in the model's output order: for a tag T, ["not T", "T"] (index 1 is the tag set). */
  classes: z.array(z.string().min(1)).min(2),
})
export type ClassifierConfig = z.infer<typeof ClassifierConfig>
export type ClassifierConfigInput = z.input<typeof ClassifierConfig>

/** A stored run or checkpoint config is a classifier's (a detector's has no `task`). */
export const isClassifierConfig = (config: unknown): config is ClassifierConfig =>
  typeof config === 'object' && config !== null && (config as { task?: unknown }).task === 'classify'

/** The two classes of a tag's classifier, in the model's order: the tag not set (0), set (1). */
export const tagClasses = (tag: string): [string, string] => [`not ${tag}`, tag]
