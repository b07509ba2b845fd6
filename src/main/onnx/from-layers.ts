// A TF.js layers model as an ONNX graph, layer by layer, for the layers the detectors (backbones/layers.ts, head.ts)
// and the whole-image classifiers (classifier/model.ts: Flatten, GlobalAveragePooling2D, Dense, Dropout; an export's
// closing Softmax) are built from. The ONNX model takes exactly what the TF.js one takes — `image`, float32 RGB pixels
// 0–255, NHWC [batch, height, width, 3] — and returns the same outputs in the same layout, so either can stand in for
// the other. Inside, convolutions run NCHW (ONNX's layout): one transpose after the input scaling, one before each
// flattening reshape or Flatten (TF flattens NHWC, and a dense layer's weights are in that order). Batch norm is folded
// into the convolution before it. 'same' padding becomes explicit pads computed as TensorFlow pads (the extra row or
// column at the end), which every ONNX reader understands. Dropout is the identity (inference). docs/runtimes.md.
import type * as tfl from '@tensorflow/tfjs-layers'
import { OnnxGraph } from './graph.js'

/** The opset written by default: old enough for OpenCV's reader, new enough for Clip with tensor bounds. */
export const DEFAULT_OPSET = 13

export interface OnnxExportOptions {
  opset?: number
  docString?: string
  metadata?: Record<string, string>
}

type Layout = 'nhwc' | 'nchw' | 'plain'

/** What the converter knows about a TF.js tensor: its ONNX name, how ONNX lays it out, and TF's shape. */
interface Value {
  name: string
  layout: Layout
  shape: (number | null)[]
}

interface SymbolicLike {
  id: number
  shape: (number | null)[]
}

interface LayerNode {
  inputTensors: SymbolicLike[]
  outputTensors: SymbolicLike[]
}

/** A convolution node and its weights, kept so that a batch norm after it can be folded in. */
interface ConvRecord {
  weight: Float32Array
  /** Present once a bias exists; `biasName` is then the initializer's name. */
  biasName: string | null
  outChannels: number
  node: { inputs: string[] }
}

const NHWC_TO_NCHW = [0, 3, 1, 2]
const NCHW_TO_NHWC = [0, 2, 3, 1]

/** Begin and end padding of one spatial axis, as TensorFlow's 'same' pads it. */
function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(size / stride)
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
  const begin = Math.floor(total / 2)
  return [begin, total - begin]
}

function pair(v: unknown, what: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v]
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x))) throw new Error(`${what} is ${JSON.stringify(v)}, not two whole numbers`)
  return [a[0], a[1]]
}

/** TF kernel [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw]. */
function convWeight(kernel: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const w = new Float32Array(kernel.length)
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) w[((o * cin + i) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + i) * cout + o]
  return w
}

/** TF depthwise kernel [kh, kw, cin, mult] → ONNX grouped-conv weight [cin · mult, 1, kh, kw]. */
function depthwiseWeight(kernel: Float32Array, [kh, kw, cin, mult]: number[]): Float32Array {
  const w = new Float32Array(kernel.length)
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) w[((c * mult + m) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + c) * mult + m]
  return w
}

class Converter {
  readonly graph = new OnnxGraph()
  private readonly values = new Map<number, Value>()
  private readonly convs = new Map<string, ConvRecord>()
  /** How many layers read each TF tensor (by id): a batch norm folds into a conv only when it is the conv's one reader. */
  private readonly readers = new Map<number, number>()

  constructor(private readonly model: tfl.LayersModel) {
    for (const layer of model.layers) {
      for (const t of nodeOf(layer).inputTensors) this.readers.set(t.id, (this.readers.get(t.id) ?? 0) + 1)
    }
  }

  convert(): { inputs: Value[]; outputs: Value[] } {
    for (const layer of this.model.layers) this.layer(layer)
    const inputs = this.model.inputs.map((t) => this.value(t as unknown as SymbolicLike))
    const outputs = this.model.outputs.map((t, i) => {
      const v = this.value(t as unknown as SymbolicLike)
      const name = this.model.outputNames[i]
      // An output keeps the model's output name and TF's layout.
      if (v.name === name && v.layout !== 'nchw') return v
      const plain = v.layout === 'nchw' ? this.graph.node('Transpose', `${name}_nhwc`, [v.name], { perm: NCHW_TO_NHWC }) : v.name
      // A layer's own value that the graph holds as NCHW already has the output's name (an inner layer's output, as a
      // feature extractor's maps are): the output is its NHWC copy, under a name of its own.
      if (v.name === name) return { ...v, name: plain, layout: 'plain' as Layout }
      this.graph.node('Identity', `${name}_output`, [plain], {}, [name])
      return { ...v, name, layout: 'plain' as Layout }
    })
    return { inputs, outputs }
  }

  private value(t: SymbolicLike): Value {
    const v = this.values.get(t.id)
    if (!v) throw new Error(`the exporter reached a tensor (${t.id}) before the layer that makes it`)
    return v
  }

  private set(t: SymbolicLike, name: string, layout: Layout): void {
    this.values.set(t.id, { name, layout, shape: t.shape })
  }

  /** A rank-4 input in NCHW (transposing an NHWC one). */
  private nchw(v: Value, base: string): string {
    if (v.layout === 'nchw') return v.name
    if (v.shape.length !== 4) throw new Error(`${base} needs a 4-D input, got shape [${v.shape.join(', ')}]`)
    return this.graph.node('Transpose', `${base}_nchw`, [v.name], { perm: NHWC_TO_NCHW })
  }

  private layer(layer: tfl.layers.Layer): void {
    const cls = layer.getClassName()
    const config = layer.getConfig() as Record<string, unknown>
    const node = nodeOf(layer)
    const name = layer.name
    const out = node.outputTensors[0]
    const g = this.graph
    // An input layer's node names its own output as its input.
    if (cls === 'InputLayer') return this.set(out, g.unique(name), 'nhwc')
    const inputs = node.inputTensors.map((t) => this.value(t))
    switch (cls) {
      case 'Rescaling': {
        const scaled = g.node('Mul', `${name}_scale`, [inputs[0].name, g.scalar(`${name}_scale_value`, config.scale as number)])
        const shifted = g.node('Add', name, [scaled, g.scalar(`${name}_offset_value`, config.offset as number)])
        this.set(out, shifted, inputs[0].layout)
        return
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
        this.set(out, this.conv(layer, cls === 'DepthwiseConv2D', config, inputs[0]), 'nchw')
        return
      case 'BatchNormalization':
        this.set(out, this.batchNorm(layer, config, inputs[0], this.readers.get(node.inputTensors[0].id) === 1), 'nchw')
        return
      case 'ReLU': {
        const max = config.maxValue as number | null | undefined
        const y =
          max === null || max === undefined
            ? g.node('Relu', name, [inputs[0].name])
            : g.node('Clip', name, [inputs[0].name, g.scalar(`${name}_min`, 0), g.scalar(`${name}_max`, max)])
        this.set(out, y, inputs[0].layout)
        return
      }
      case 'LeakyReLU':
        this.set(out, g.node('LeakyRelu', name, [inputs[0].name], { alpha: { float: config.alpha as number } }), inputs[0].layout)
        return
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [ph, pw] = pair(config.poolSize, `${name}'s poolSize`)
        const [sh, sw] = pair(config.strides ?? config.poolSize, `${name}'s strides`)
        const x = this.nchw(inputs[0], name)
        const [h, w] = [inputs[0].shape[1] as number, inputs[0].shape[2] as number]
        const [top, bottom] = config.padding === 'same' ? samePads(h, ph, sh) : [0, 0]
        const [left, right] = config.padding === 'same' ? samePads(w, pw, sw) : [0, 0]
        // TF's average over 'same' padding counts only the cells inside the map: ONNX's count_include_pad 0.
        const op = cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool'
        const pooled = g.node(op, name, [x], { kernel_shape: [ph, pw], strides: [sh, sw], pads: [top, left, bottom, right] })
        this.set(out, pooled, 'nchw')
        return
      }
      case 'Add': {
        if (inputs.length !== 2) throw new Error(`${name} adds ${inputs.length} tensors; the exporter takes two`)
        const [a, b] = inputs.some((v) => v.layout === 'nchw') ? inputs.map((v, i) => this.nchw(v, `${name}_${i}`)) : inputs.map((v) => v.name)
        this.set(out, g.node('Add', name, [a, b]), inputs.some((v) => v.layout === 'nchw') ? 'nchw' : inputs[0].layout)
        return
      }
      case 'Concatenate': {
        const rank = inputs[0].shape.length
        const tfAxis = ((config.axis as number) + rank) % rank
        if (inputs.every((v) => v.layout === 'plain' || v.layout === 'nhwc')) {
          this.set(
            out,
            g.node(
              'Concat',
              name,
              inputs.map((v) => v.name),
              { axis: tfAxis },
            ),
            inputs[0].layout,
          )
        } else {
          const names = inputs.map((v, i) => this.nchw(v, `${name}_${i}`))
          this.set(out, g.node('Concat', name, names, { axis: NHWC_TO_NCHW.indexOf(tfAxis) }), 'nchw')
        }
        return
      }
      case 'Reshape': {
        // TF flattens in NHWC order: back to NHWC first, so element i is the same element in both models.
        const v = inputs[0]
        const x = v.layout === 'nchw' ? g.node('Transpose', `${name}_nhwc`, [v.name], { perm: NCHW_TO_NHWC }) : v.name
        const shape = g.int64s(`${name}_shape`, [-1, ...(config.targetShape as number[])])
        this.set(out, g.node('Reshape', name, [x, shape]), 'plain')
        return
      }
      case 'Flatten': {
        // TF flattens in NHWC order: back to NHWC first, so the dense layer after it reads its weights' order.
        const v = inputs[0]
        const x = v.layout === 'nchw' ? g.node('Transpose', `${name}_nhwc`, [v.name], { perm: NCHW_TO_NHWC }) : v.name
        this.set(out, g.node('Flatten', name, [x], { axis: 1 }), 'plain')
        return
      }
      case 'GlobalAveragePooling2D': {
        if (config.dataFormat !== 'channelsLast') throw new Error(`${name}: only channelsLast layers are exported`)
        if (config.keepDims) throw new Error(`${name}: keepDims is not exported`)
        const pooled = g.node('GlobalAveragePool', `${name}_pool`, [this.nchw(inputs[0], name)])
        // [N, C, 1, 1] → [N, C], TF's shape.
        this.set(out, g.node('Flatten', name, [pooled], { axis: 1 }), 'plain')
        return
      }
      case 'Dense':
        this.set(out, this.dense(layer, config, inputs[0]), 'plain')
        return
      // Dropout only acts while training: at inference its output is its input.
      case 'Dropout':
        this.set(out, inputs[0].name, inputs[0].layout)
        return
      case 'Softmax': {
        const v = inputs[0]
        const rank = v.shape.length
        const axes = Array.isArray(config.axis) ? (config.axis as number[]) : [config.axis as number]
        if (v.layout === 'nchw' || axes.length !== 1 || (axes[0] + rank) % rank !== rank - 1) {
          throw new Error(`${name}: only a softmax over the last axis of a flat tensor is exported`)
        }
        this.set(out, g.node('Softmax', name, [v.name], { axis: -1 }), v.layout)
        return
      }
      default:
        throw new Error(`the ONNX exporter does not know the layer ${name} (${cls})`)
    }
  }

  private conv(layer: tfl.layers.Layer, depthwise: boolean, config: Record<string, unknown>, input: Value): string {
    const name = layer.name
    if (config.activation !== 'linear') throw new Error(`${name}: a fused activation (${String(config.activation)}) is not exported`)
    if (config.dataFormat !== 'channelsLast') throw new Error(`${name}: only channelsLast layers are exported`)
    const [kh, kw] = pair(config.kernelSize, `${name}'s kernelSize`)
    const [sh, sw] = pair(config.strides, `${name}'s strides`)
    const [dh, dw] = pair(config.dilationRate ?? 1, `${name}'s dilationRate`)
    const [kernel, bias] = layer.getWeights()
    const kernelShape = kernel.shape as [number, number, number, number]
    const kernelData = kernel.dataSync() as Float32Array
    const weight = depthwise ? depthwiseWeight(kernelData, kernelShape) : convWeight(kernelData, kernelShape)
    const cin = kernelShape[2]
    const outChannels = depthwise ? cin * kernelShape[3] : kernelShape[3]
    const g = this.graph
    const x = this.nchw(input, name)
    const [h, w] = [input.shape[1] as number, input.shape[2] as number]
    const same = config.padding === 'same'
    const [top, bottom] = same ? samePads(h, kh, sh, dh) : [0, 0]
    const [left, right] = same ? samePads(w, kw, sw, dw) : [0, 0]
    const weightName = g.initializer(`${name}_W`, weight, [outChannels, depthwise ? 1 : cin, kh, kw])
    const biasName = bias ? g.initializer(`${name}_B`, Float32Array.from(bias.dataSync()), [outChannels]) : null
    const inputs = biasName ? [x, weightName, biasName] : [x, weightName]
    const y = g.node('Conv', name, inputs, {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: [top, left, bottom, right],
      group: depthwise ? cin : 1,
    })
    this.convs.set(y, { weight, biasName, outChannels, node: g.nodes[g.nodes.length - 1] })
    return y
  }

  /** A dense layer: Gemm on a [batch, features] input (what a classifier's head is), MatMul then Add on any other. */
  private dense(layer: tfl.layers.Layer, config: Record<string, unknown>, input: Value): string {
    const name = layer.name
    if (config.activation !== 'linear') throw new Error(`${name}: a fused activation (${String(config.activation)}) is not exported`)
    if (input.layout === 'nchw') throw new Error(`${name}: a dense layer on a feature map is not exported (flatten or pool it first)`)
    const [kernel, bias] = layer.getWeights()
    const [inUnits, units] = kernel.shape as [number, number]
    const g = this.graph
    // TF's kernel is [in, out], row-major: ONNX's B as it is (no transpose).
    const weight = g.initializer(`${name}_W`, Float32Array.from(kernel.dataSync()), [inUnits, units])
    const biasName = bias ? g.initializer(`${name}_B`, Float32Array.from(bias.dataSync()), [units]) : null
    if (input.shape.length === 2) return g.node('Gemm', name, biasName ? [input.name, weight, biasName] : [input.name, weight])
    const product = g.node('MatMul', biasName ? `${name}_matmul` : name, [input.name, weight])
    return biasName ? g.node('Add', name, [product, biasName]) : product
  }

  /** A batch norm folded into the conv it follows (its one reader), else an ONNX BatchNormalization. */
  private batchNorm(layer: tfl.layers.Layer, config: Record<string, unknown>, input: Value, onlyReader: boolean): string {
    const name = layer.name
    const rank = input.shape.length
    const axis = ((config.axis as number) + rank) % rank
    if (rank !== 4 || axis !== 3) throw new Error(`${name}: only batch norm over the channels of a 4-D map is exported`)
    const weights = layer.getWeights().map((t) => t.dataSync() as Float32Array)
    const channels = input.shape[3] as number
    const ones = new Float32Array(channels).fill(1)
    const zeros = new Float32Array(channels)
    // tfjs-layers orders them gamma, beta, moving mean, moving variance, leaving out gamma/beta when scale/center is off.
    let k = 0
    const gamma = config.scale ? weights[k++] : ones
    const beta = config.center ? weights[k++] : zeros
    const mean = weights[k++]
    const variance = weights[k]
    const epsilon = config.epsilon as number
    const conv = this.convs.get(input.name)
    if (conv && onlyReader) {
      // y = γ (conv(x) + b − μ) / √(σ² + ε) + β: scale each output channel's filter, and fold the rest into the bias.
      const g = this.graph
      const perChannel = conv.weight.length / conv.outChannels
      const bias = conv.biasName ? (g.initializers.get(conv.biasName)!.data as Float32Array) : new Float32Array(channels)
      for (let o = 0; o < channels; o++) {
        const s = gamma[o] / Math.sqrt(variance[o] + epsilon)
        for (let i = o * perChannel; i < (o + 1) * perChannel; i++) conv.weight[i] *= s
        bias[o] = (bias[o] - mean[o]) * s + beta[o]
      }
      if (!conv.biasName) {
        conv.biasName = g.initializer(`${input.name}_B`, bias, [channels])
        conv.node.inputs.push(conv.biasName)
      }
      this.convs.delete(input.name)
      return input.name
    }
    const g = this.graph
    const x = this.nchw(input, name)
    const params = [gamma, beta, mean, variance].map((d, i) =>
      g.initializer(`${name}_${['scale', 'B', 'mean', 'var'][i]}`, Float32Array.from(d), [channels]),
    )
    return g.node('BatchNormalization', name, [x, ...params], { epsilon: { float: epsilon } })
  }
}

function nodeOf(layer: tfl.layers.Layer): LayerNode {
  const nodes = (layer as unknown as { inboundNodes: LayerNode[] }).inboundNodes
  if (nodes.length !== 1) throw new Error(`the layer ${layer.name} is used ${nodes.length} times; the exporter needs each used once`)
  return nodes[0]
}

/**
 * The layers model as ONNX bytes: input and outputs named as the TF.js model's, the batch dimension symbolic
 * ('batch'), every other dimension fixed.
 */
export function layersToOnnx(model: tfl.LayersModel, options: OnnxExportOptions = {}): Uint8Array {
  const converter = new Converter(model)
  const { inputs, outputs } = converter.convert()
  const dims = (v: Value) => v.shape.map((d, i) => (i === 0 ? 'batch' : (d as number)))
  return converter.graph.toBytes({
    name: model.name,
    inputs: inputs.map((v) => ({ name: v.name, dims: dims(v) })),
    outputs: outputs.map((v) => ({ name: v.name, dims: dims(v) })),
    opset: options.opset ?? DEFAULT_OPSET,
    docString: options.docString,
    metadata: options.metadata,
  })
}
