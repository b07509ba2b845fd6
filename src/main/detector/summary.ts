// Parameters and multiply-adds of a model, from its layers' shapes — no tensor is read. MACs are counted as the papers
// count "Mult-Adds" (conv, depthwise, separable and dense weights per output position); parameters as Keras counts them,
// `trainableParams` as torchvision does. What is and is not counted, and why: docs/detector.md#model-summary.
import type * as tfl from '@tensorflow/tfjs-layers'

export interface LayerSummary {
  name: string
  className: string
  /** Output shape without the batch dimension (the first output's, for layers with several). */
  outputShape: number[]
  params: number
  trainableParams: number
  macs: number
}

export interface Totals {
  params: number
  trainableParams: number
  /** Multiply-adds for one image. */
  macs: number
}

export interface ModelSummary extends Totals {
  layers: LayerSummary[]
}

type Layer = tfl.layers.Layer
type Shape = (number | null)[]

const product = (dims: readonly (number | null)[]) => dims.reduce<number>((p, d) => p * (d ?? 1), 1)

/** Layers whose kernels are applied once per output position (per input position for transposed convs). */
const perOutputPosition = new Set(['Conv1D', 'Conv2D', 'Conv3D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense'])
const perInputPosition = new Set(['Conv2DTranspose', 'Conv3DTranspose'])

/** Spatial (or time) positions of a shape [batch, …positions, channels] (or [batch, channels, …positions]). */
function positions(shape: Shape, channelsFirst: boolean): number {
  return product(channelsFirst ? shape.slice(2) : shape.slice(1, -1))
}

function firstShape(shapes: Shape | Shape[]): Shape {
  return Array.isArray(shapes[0]) ? (shapes as Shape[])[0] : (shapes as Shape)
}

function layerMacs(layer: Layer): number {
  const className = layer.getClassName()
  const counted = perOutputPosition.has(className) || perInputPosition.has(className)
  if (!counted || layer.inboundNodes.length === 0) return 0
  // Kernels are the weights of rank ≥ 2 (biases are vectors). A separable conv has two, both applied per output
  // position. Detector layers are never shared, so the layer's one inbound node gives its shapes.
  const kernelWeights = layer.weights.filter((w) => w.shape.length >= 2).reduce((s, w) => s + product(w.shape), 0)
  const node = layer.inboundNodes[0]
  const channelsFirst = (layer.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst'
  const shape = perInputPosition.has(className) ? firstShape(node.inputShapes) : firstShape(node.outputShapes)
  return kernelWeights * positions(shape, channelsFirst)
}

export function summarizeLayer(layer: Layer): LayerSummary {
  const outputShape = firstShape(layer.outputShape as Shape | Shape[]).slice(1) as number[]
  return {
    name: layer.name,
    className: layer.getClassName(),
    outputShape,
    params: layer.countParams(),
    trainableParams: layer.trainableWeights.reduce((s, w) => s + product(w.shape), 0),
    macs: layerMacs(layer),
  }
}

function total(layers: readonly LayerSummary[]): Totals {
  return layers.reduce(
    (t, l) => ({ params: t.params + l.params, trainableParams: t.trainableParams + l.trainableParams, macs: t.macs + l.macs }),
    { params: 0, trainableParams: 0, macs: 0 },
  )
}

export function summarize(model: tfl.LayersModel): ModelSummary {
  const layers = model.layers.map(summarizeLayer)
  return { ...total(layers), layers }
}

/** Totals per part, e.g. with model.ts' `detectorPart`: { input, backbone, extras, head }. */
export function totalsByPart<P extends string>(summary: ModelSummary, partOf: (layerName: string) => P): Record<P, Totals> {
  const parts = {} as Record<P, LayerSummary[]>
  for (const layer of summary.layers) (parts[partOf(layer.name)] ??= []).push(layer)
  return Object.fromEntries(Object.entries<LayerSummary[]>(parts).map(([p, ls]) => [p, total(ls)])) as Record<P, Totals>
}

/** "4.23M", "569M", "1.82G": for reports and logs. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 2)}M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`
  return String(n)
}
