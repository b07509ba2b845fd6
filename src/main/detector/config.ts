// A detector is a config that names each piece — backbone, feature maps and anchors, matcher, box coder, loss,
// decoding — so one piece can be changed while the rest stay proven. Validated with zod, stored with every run.
import { z } from 'zod'

const PositiveInt = z.number().int().positive()
const Fraction = z.number().min(0).max(1)

export const Backbone = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('alexnet') }),
  /** `alpha` is the width multiplier: 1 is the paper's network, 0.25–0.75 trade accuracy for speed on a Pi. */
  z.strictObject({ name: z.literal('mobilenet-v1'), alpha: z.number().positive().max(2).default(1) }),
  z.strictObject({ name: z.literal('mobilenet-v2'), alpha: z.number().positive().max(2).default(1) }),
  z.strictObject({ name: z.literal('darknet-tiny') }),
  z.strictObject({ name: z.literal('resnet-18') }),
])
export type Backbone = z.infer<typeof Backbone>
export type BackboneName = Backbone['name']

/**
 * One feature map the head predicts from, and the anchors on each of its cells. Sizes are stated, not derived, so
 * anchors can be computed without building the network; the model builder checks them against the network it builds.
 */
export const FeatureMap = z.strictObject({
  /** Rows and columns of the feature map. */
  size: z.tuple([PositiveInt, PositiveInt]),
  /** Anchor size as a fraction of the input's shorter side (SSD's s_k). */
  scale: z.number().positive().max(2),
  /** Width / height of the anchors on this map; 1 is square (faces are close to square). */
  aspectRatios: z.array(z.number().positive()).min(1),
  /** SSD's extra square anchor of size sqrt(s_k · s_k+1) (the next map's scale, or 1 for the last map). */
  extraScale: z.boolean().default(true),
})
export type FeatureMap = z.infer<typeof FeatureMap>

export const Loss = z.discriminatedUnion('name', [
  /** Softmax cross-entropy with hard-negative mining (`negPosRatio` negatives per positive) + smooth L1 on boxes. */
  z.strictObject({
    name: z.literal('ssd'),
    negPosRatio: z.number().positive().default(3),
    boxWeight: z.number().nonnegative().default(1),
  }),
  /** Focal loss (Lin et al.) over every anchor instead of mining, + smooth L1 on boxes. */
  z.strictObject({
    name: z.literal('focal'),
    alpha: Fraction.default(0.25),
    gamma: z.number().nonnegative().default(2),
    boxWeight: z.number().nonnegative().default(1),
  }),
])
export type Loss = z.infer<typeof Loss>

export const DetectorConfig = z
  .strictObject({
    name: z.string().min(1),
    input: z.strictObject({ width: PositiveInt, height: PositiveInt }),
    /** Object classes; the background class is implicit (index 0 in the model's class scores). */
    classes: z.array(z.string().min(1)).min(1),
    backbone: Backbone,
    featureMaps: z.array(FeatureMap).min(1),
    /**
     * Each coarser map's class predictor also reads the finest map, average-pooled to its size (head.ts): the details
     * a face's expression is in, which a face detector's deeper maps — trained to find a face whatever it shows — no
     * longer carry. On for fine-tunes that add classes (docs/detector.md#fine-class-features).
     */
    fineClassFeatures: z.boolean().default(false),
    /** An anchor is positive at IoU ≥ pos, negative below neg, ignored in between; each box always gets its best. */
    matcher: z.strictObject({ pos: Fraction.default(0.5), neg: Fraction.default(0.4) }),
    boxCoder: z.strictObject({
      variances: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]),
    }),
    loss: Loss,
    decoding: z.strictObject({
      scoreThreshold: Fraction.default(0.3),
      iouThreshold: Fraction.default(0.45),
      /** Detections kept per image after NMS, over all classes. */
      topK: PositiveInt.default(100),
    }),
  })
  .refine((c) => c.matcher.neg <= c.matcher.pos, { message: 'matcher.neg must not exceed matcher.pos', path: ['matcher', 'neg'] })
export type DetectorConfig = z.infer<typeof DetectorConfig>
export type DetectorConfigInput = z.input<typeof DetectorConfig>
