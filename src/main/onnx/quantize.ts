// Static int8 quantization of a float ONNX detector or whole-image classifier into QDQ form: QuantizeLinear/
// DequantizeLinear pairs around every activation and a DequantizeLinear on every convolution's and dense (Gemm) layer's
// weights and bias, which ONNX Runtime's graph optimizer turns into integer kernels (QLinearConv, QGemm,
// QLinearGlobalAveragePool; MaxPool, Transpose, Reshape and Flatten run on the 8-bit values) while the file stays a
// plain opset-13 graph any reader can run in float. The model keeps its float input and outputs. docs/runtimes.md.
//
// - Weights: per output channel (a Conv's axis 0; a Gemm's B, [in, out], per column: axis 1), symmetric int8 (zero
//   point 0), scale max|w| / 127.
// - Biases: int32 with scale input_scale · weight_scale[channel], zero point 0: what QLinearConv and QGemm add to their
//   int32 sums.
//   Bias correction (on by default): rounding the weights shifts each output's mean by (W_q − W) · E[x]; that shift,
//   with E[x] each input channel's mean over the calibration photos, is taken back out of the bias. Measured on a Pi
//   preset trained on GENKI: it cuts the int8 error in the outputs by 40 % (mean |Δ box offset| 0.047 → 0.028).
// - Activations: per tensor, asymmetric uint8. Measured with ONNX Runtime 1.31: on x64 uint8 activations fuse every
//   convolution into QLinearConv (int8 activations leave the depthwise ones as float Conv, 2.2× slower on one
//   thread); on arm64 (the emulated Pi) both fuse every convolution. `activations: 'int8'` is there for arm64-only use.
//   Ranges from calibration: the float model run by ONNX Runtime over the calibration photos with every activation
//   exposed as an output, min and max over all of them (MinMax), stretched to include 0 — except the detector's
//   outputs (class logits, box offsets), whose 99.9th percentiles at each end are finer steps where detections are
//   decided (DEFAULT_OUTPUT_PERCENTILE).
// - A classifier's closing Softmax stays float, and so does its input (the class logits): the last Gemm runs as QGemm
//   with a float output, so the probabilities are computed from unrounded logits.
// - A Relu or Clip(0, 6) right after a convolution or a Gemm keeps its float node, with the quantization on its output only:
//   ONNX Runtime removes the activation when the quantized range already clips to it (Relu/ClipQuantFusion), and the
//   range below guarantees that (its lower end is 0, its upper end not above Clip's max).
// - Tensors that only move values (MaxPool, Transpose, Reshape) take their input's scale and zero point, so the runtime
//   can drop their QDQ pairs and run them on the 8-bit values.
// - The input's own scaling (Mul, Add on the raw pixels) stays float; its result is the first quantized tensor.
import * as ort from 'onnxruntime-node'
import { DataType } from './graph.js'
import { onnx } from './onnx-proto.js'

export type ActivationType = 'uint8' | 'int8'

export interface QuantizeOptions {
  /** The 8-bit type of the activations (weights are always int8). Default 'uint8'. */
  activations?: ActivationType
  /** Threads ONNX Runtime may use while calibrating. Default: all. */
  threads?: number
  /** Calibration images run per ONNX Runtime call. Default 4. */
  batchSize?: number
  /**
   * How activation ranges are taken from the calibration outputs: 'minmax' (the extremes seen) or a percentile of
   * the values on each side (e.g. 99.99: the range that holds all but 0.01 % of them at each end). Default 'minmax'.
   */
  calibration?: 'minmax' | { percentile: number }
  /**
   * A percentile for the detector's outputs alone (its last convolutions': class logits and box offsets), whatever
   * `calibration` says: their extremes belong to anchors far from any decision, and a tighter range gives the
   * values that decide detections finer steps. Default DEFAULT_OUTPUT_PERCENTILE; null for MinMax there too.
   */
  outputPercentile?: number | null
  /**
   * Leave the detector's last convolutions (the ones whose outputs only reach the model's outputs) with float outputs:
   * their weights stay int8, but they run as float convolutions. Default false.
   */
  floatOutputs?: boolean
  /** Correct each convolution's bias for the mean shift its weights' quantization causes (default true). */
  biasCorrection?: boolean
}

/** The calibrated range of one activation tensor. */
export interface TensorRange {
  min: number
  max: number
  /** A 4-D (NCHW) tensor's mean per channel, or a 2-D one's per feature, over the calibration images: bias correction. */
  channelMeans?: Float64Array
}

/**
 * The percentile that calibrates the detector's outputs by default. Measured on the Pi preset trained 75 s, 75 s at
 * batch 4 and 4 min on GENKI (150 SZSL val + 12 dlib photos): int8 kept 95.8, 96.4 and 97.2 % of the float model's
 * boxes at IoU ≥ 0.9 with it, 91.6, 94.9 and 95.3 % with MinMax there; val AP50 the same within 0.001.
 */
export const DEFAULT_OUTPUT_PERCENTILE = 99.9

/** Ops whose output is the same values as (a subset of) their input: they share its quantization. */
const VALUE_PRESERVING = new Set(['MaxPool', 'Transpose', 'Reshape', 'Identity', 'Flatten', 'Squeeze', 'Unsqueeze'])
/** Activations the runtime folds into the quantization of their output when they follow a convolution. */
const FOLDABLE_ACTIVATIONS = new Set(['Relu', 'Clip'])
/** Ops with int8 weights (and an int32 bias), whose input is quantized: the integer kernels. */
const WEIGHTED = new Set(['Conv', 'Gemm'])
/** Ops left float, input and output: the tensors only they read are not quantized. */
const FLOAT_OPS = new Set(['Softmax'])
/** Elementwise ops that, fed from the graph input, form its float preprocessing (the input scaling). */
const INPUT_SCALING = new Set(['Mul', 'Add', 'Sub', 'Div'])

type Graph = onnx.IGraphProto
type NodeProto = onnx.INodeProto

const num = (v: unknown): number => Number(v)

function floatData(t: onnx.ITensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new Error(`initializer ${t.name} is not float32 (type ${t.dataType})`)
  if (t.rawData && t.rawData.length > 0) {
    // A copy: decoded bytes may be a view into the file at any alignment.
    const bytes = new Uint8Array(t.rawData)
    return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4)
  }
  return Float32Array.from(t.floatData ?? [])
}

function tensor(name: string, data: Float32Array | Int8Array | Uint8Array | Int32Array, dims: number[]): onnx.ITensorProto {
  const dataType =
    data instanceof Float32Array
      ? DataType.FLOAT
      : data instanceof Int8Array
        ? DataType.INT8
        : data instanceof Uint8Array
          ? DataType.UINT8
          : DataType.INT32
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

/**
 * The detector's tail: its last convolutions' outputs (the ones from which only value-moving ops and concatenation lead
 * to the model's outputs) and the tensors between them and the outputs.
 */
export function outputTail(graph: Graph): Set<string> {
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''))
  const consumers = new Map<string, NodeProto[]>()
  for (const n of graph.node ?? []) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n])
  const tail = new Set<string>()
  for (const n of [...(graph.node ?? [])].reverse()) {
    const out = n.output?.[0] ?? ''
    const readers = consumers.get(out) ?? []
    const leadsOut = outputs.has(out) || (readers.length > 0 && readers.every((r) => tail.has(r.output?.[0] ?? '')))
    const movesValues = VALUE_PRESERVING.has(n.opType ?? '') || n.opType === 'Concat'
    // A convolution is the tail's start: nothing after it computes.
    const lastConv = n.opType === 'Conv' && readers.every((r) => r.opType !== 'Conv')
    if (leadsOut && (movesValues || lastConv || outputs.has(out))) tail.add(out)
  }
  return tail
}

/**
 * The tensors that get a Quantize/Dequantize pair: every activation the model computes, except the graph's input and
 * outputs, the intermediate steps of the input scaling, and a convolution's output that only a Relu/Clip reads.
 */
export function activationsToQuantize(graph: Graph, options: Pick<QuantizeOptions, 'floatOutputs'> = {}): string[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''))
  const inputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((n) => !initializers.has(n)))
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''))
  const consumers = new Map<string, NodeProto[]>()
  for (const n of graph.node ?? []) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n])
  // The float prefix: nodes computed from the graph input by elementwise scaling alone.
  const floatPrefix = new Set<string>(inputs)
  for (const n of graph.node ?? []) {
    if (INPUT_SCALING.has(n.opType ?? '') && (n.input ?? []).every((i) => floatPrefix.has(i) || initializers.has(i)))
      for (const o of n.output ?? []) floatPrefix.add(o)
  }
  const tail = options.floatOutputs ? outputTail(graph) : new Set<string>()
  const chosen: string[] = []
  for (const n of graph.node ?? []) {
    for (const out of n.output ?? []) {
      const readers = consumers.get(out) ?? []
      if (readers.length === 0 || outputs.has(out) || inputs.has(out) || tail.has(out)) continue
      // Inside the input scaling (read only by more scaling): float.
      if (floatPrefix.has(out) && readers.every((r) => floatPrefix.has(r.output?.[0] ?? ''))) continue
      if (WEIGHTED.has(n.opType ?? '') && readers.every((r) => FOLDABLE_ACTIVATIONS.has(r.opType ?? ''))) continue
      if (readers.every((r) => FLOAT_OPS.has(r.opType ?? ''))) continue
      chosen.push(out)
    }
  }
  return chosen
}

/** A copy of the model with `names` added as float outputs, for reading them during calibration. */
function exposing(model: onnx.ModelProto, names: string[]): Uint8Array {
  const graph = model.graph!
  const extra = names.map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } }))
  const copy: onnx.IModelProto = { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...extra] } }
  return onnx.ModelProto.encode(copy).finish()
}

/**
 * Min and max of each activation in `names` over the calibration images (each [H, W, 3] float 0–255, the model's
 * input for one image), run by ONNX Runtime on the float model.
 */
export async function calibrate(
  fp32: Uint8Array,
  images: readonly Float32Array[],
  names: string[],
  options: Pick<QuantizeOptions, 'threads' | 'batchSize' | 'calibration' | 'outputPercentile'> = {},
): Promise<Map<string, TensorRange>> {
  if (images.length === 0) throw new Error('calibration needs at least one image')
  const model = onnx.ModelProto.decode(fp32)
  const input = model.graph!.input![0]
  const dims = input.type!.tensorType!.shape!.dim!.map((d) => num(d.dimValue))
  const [height, width, channels] = dims.slice(1)
  const size = height * width * channels
  for (const im of images) if (im.length !== size) throw new Error(`a calibration image has ${im.length} values, the model takes ${size}`)
  const session = await ort.InferenceSession.create(exposing(model, names), {
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    graphOptimizationLevel: 'all',
  })
  /** Every calibration output of each tensor in turn, batch by batch. */
  const each = async (visit: (name: string, values: Float32Array, dims: readonly number[]) => void) => {
    const batchSize = options.batchSize ?? 4
    for (let start = 0; start < images.length; start += batchSize) {
      const batch = images.slice(start, start + batchSize)
      const data = new Float32Array(batch.length * size)
      batch.forEach((im, i) => data.set(im, i * size))
      const results = await session.run({ [input.name!]: new ort.Tensor('float32', data, [batch.length, height, width, channels]) }, names)
      for (const name of names) {
        visit(name, results[name].data as Float32Array, results[name].dims)
        results[name].dispose()
      }
    }
  }
  const ranges = new Map<string, TensorRange>(names.map((n) => [n, { min: Infinity, max: -Infinity }]))
  const sums = new Map<string, Float64Array>()
  let seen = 0
  try {
    await each((name, values, dims) => {
      const r = ranges.get(name)!
      let { min, max } = r
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        if (v < min) min = v
        if (v > max) max = v
      }
      r.min = min
      r.max = max
      if (dims.length === 4) {
        const [batch, channels, h, w] = dims
        const sum = sums.get(name) ?? new Float64Array(channels)
        for (let b = 0; b < batch; b++)
          for (let c = 0; c < channels; c++) {
            let acc = 0
            for (let i = (b * channels + c) * h * w, end = i + h * w; i < end; i++) acc += values[i]
            sum[c] += acc / (h * w)
          }
        sums.set(name, sum)
      } else if (dims.length === 2) {
        // A dense layer's input [batch, features]: the mean of each feature.
        const [batch, features] = dims
        const sum = sums.get(name) ?? new Float64Array(features)
        for (let b = 0; b < batch; b++) for (let c = 0; c < features; c++) sum[c] += values[b * features + c]
        sums.set(name, sum)
      }
      if (name === names[0]) seen += dims[0]
    })
    for (const [name, sum] of sums) ranges.get(name)!.channelMeans = sum.map((v) => v / seen)
    const method = options.calibration ?? 'minmax'
    const outputPercentile = options.outputPercentile === undefined ? DEFAULT_OUTPUT_PERCENTILE : options.outputPercentile
    const tail = outputPercentile === null ? new Set<string>() : outputTail(model.graph!)
    const percentiles = new Map<string, number>()
    for (const name of names) {
      if (method !== 'minmax') percentiles.set(name, method.percentile)
      else if (outputPercentile !== null && tail.has(name)) percentiles.set(name, outputPercentile)
    }
    if (percentiles.size > 0) {
      // A second pass: a histogram of each such tensor over its range, then the percentile at each end.
      const bins = 4096
      const histograms = new Map([...percentiles.keys()].map((n) => [n, new Float64Array(bins)]))
      await each((name, values) => {
        const h = histograms.get(name)
        if (!h) return
        const { min, max } = ranges.get(name)!
        const step = (max - min) / bins || 1
        for (let i = 0; i < values.length; i++) h[Math.min(bins - 1, Math.floor((values[i] - min) / step))]++
      })
      for (const [name, percentile] of percentiles) {
        const tailShare = 1 - percentile / 100
        const r = ranges.get(name)!
        const h = histograms.get(name)!
        const total = h.reduce((a, b) => a + b, 0)
        const step = (r.max - r.min) / bins
        let lo = 0
        for (let seen = 0; lo < bins - 1 && (seen += h[lo]) <= total * tailShare;) lo++
        let hi = bins - 1
        for (let seen = 0; hi > 0 && (seen += h[hi]) <= total * tailShare;) hi--
        ranges.set(name, { ...r, min: r.min + lo * step, max: r.min + (hi + 1) * step })
      }
    }
  } finally {
    await session.release()
  }
  return ranges
}

interface QParams {
  scale: number
  zeroPoint: number
}

/** Largest float32 not above x. */
function float32AtMost(x: number): number {
  const f = Math.fround(x)
  if (f <= x) return f
  const a = new Float32Array([f])
  const bits = new Int32Array(a.buffer)
  bits[0] += f > 0 ? -1 : 1
  return a[0]
}

/**
 * Asymmetric per-tensor parameters for [min, max] stretched to include 0. When the range starts at 0 the zero point is
 * the type's lowest value and `scale · (qmax − qmin)` is kept at or below `max` in float32, so that a Relu or Clip
 * before it is exactly what quantizing does anyway (the runtime removes it only then).
 */
export function activationParams(range: TensorRange, type: ActivationType): QParams {
  const [qmin, qmax] = type === 'uint8' ? [0, 255] : [-128, 127]
  const lo = Math.min(0, range.min)
  const hi = Math.max(0, range.max)
  if (!(hi > lo)) return { scale: 1, zeroPoint: 0 }
  if (lo === 0) {
    let scale = float32AtMost(hi / (qmax - qmin))
    while (Math.fround(scale * (qmax - qmin)) > hi) scale = float32AtMost(scale - scale * 1e-7)
    return { scale, zeroPoint: qmin }
  }
  const scale = Math.fround((hi - lo) / (qmax - qmin))
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)))
  return { scale, zeroPoint }
}

/** Per-output-channel symmetric int8 weights: [channels] scales (max|w| / 127) and the int8 values. */
export function quantizeWeights(w: Float32Array, channels: number): { scales: Float32Array; values: Int8Array } {
  const per = w.length / channels
  const scales = new Float32Array(channels)
  const values = new Int8Array(w.length)
  for (let o = 0; o < channels; o++) {
    let max = 0
    for (let i = o * per; i < (o + 1) * per; i++) max = Math.max(max, Math.abs(w[i]))
    // An all-zero filter: any scale works; 1 keeps the bias scale sensible.
    const scale = max > 0 ? Math.fround(max / 127) : 1
    scales[o] = scale
    for (let i = o * per; i < (o + 1) * per; i++) values[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)))
  }
  return { scales, values }
}

const INT32_MAX = 2 ** 31 - 1

/** `quantizeWeights` for a [rows, columns] matrix quantized per column (a Gemm's B): scales [columns], values [rows, columns]. */
export function quantizeColumns(w: Float32Array, rows: number, columns: number): { scales: Float32Array; values: Int8Array } {
  const transposed = new Float32Array(w.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) transposed[c * rows + r] = w[r * columns + c]
  const { scales, values: byColumn } = quantizeWeights(transposed, columns)
  const values = new Int8Array(w.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) values[r * columns + c] = byColumn[c * rows + r]
  return { scales, values }
}

/** A Gemm computes x · B + C, nothing else (no transposed x, no alpha or beta): the form QGemm takes per column. */
function plainGemm(n: NodeProto): boolean {
  const attr = (name: string, fallback: number) => {
    const a = n.attribute?.find((x) => x.name === name)
    return a ? (a.type === onnx.AttributeProto.AttributeType.FLOAT ? num(a.f) : num(a.i)) : fallback
  }
  return attr('transA', 0) === 0 && attr('alpha', 1) === 1 && attr('beta', 1) === 1
}

/**
 * The float model as QDQ ONNX, with activation ranges from `ranges` (see `calibrate`). Every Conv and Gemm gets int8
 * per-channel weights and an int32 bias.
 */
export function quantizeWithRanges(fp32: Uint8Array, ranges: ReadonlyMap<string, TensorRange>, options: QuantizeOptions = {}): Uint8Array {
  const type = options.activations ?? 'uint8'
  const model = onnx.ModelProto.decode(fp32)
  const graph = model.graph!
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]))
  const chosen = new Set(activationsToQuantize(graph, options))
  const params = new Map<string, QParams>()
  const producers = new Map<string, NodeProto>()
  for (const n of graph.node ?? []) for (const o of n.output ?? []) producers.set(o, n)
  const used = new Set<string>([...initializers.keys(), ...(graph.node ?? []).flatMap((n) => [...(n.output ?? []), n.name ?? ''])])
  const unique = (base: string) => {
    let name = base
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`
    used.add(name)
    return name
  }
  const newInitializers: onnx.ITensorProto[] = []
  const constant = (base: string, data: Float32Array | Int8Array | Uint8Array | Int32Array, dims: number[]) => {
    const name = unique(base)
    newInitializers.push(tensor(name, data, dims))
    return name
  }
  const zeroPointData = (zp: number) => (type === 'uint8' ? new Uint8Array([zp]) : new Int8Array([zp]))

  // Scales in graph order: a value-preserving op's output takes its (quantized) input's.
  for (const n of graph.node ?? []) {
    for (const out of n.output ?? []) {
      if (!chosen.has(out)) continue
      const from = n.input?.[0]
      if (VALUE_PRESERVING.has(n.opType ?? '') && from && params.has(from)) {
        params.set(out, params.get(from)!)
        continue
      }
      const range = ranges.get(out)
      if (!range) throw new Error(`no calibrated range for ${out}`)
      params.set(out, activationParams(range, type))
    }
  }

  const nodes: NodeProto[] = []
  // The dequantized name of each quantized activation, which its readers take instead.
  const dequantized = new Map<string, string>()
  const quantize = (name: string) => {
    const p = params.get(name)!
    const scale = constant(`${name}_scale`, new Float32Array([p.scale]), [])
    const zeroPoint = constant(`${name}_zero_point`, zeroPointData(p.zeroPoint), [])
    const q = unique(`${name}_quantized`)
    const dq = unique(`${name}_dequantized`)
    nodes.push({ opType: 'QuantizeLinear', name: unique(`${name}_QuantizeLinear`), input: [name, scale, zeroPoint], output: [q] })
    nodes.push({ opType: 'DequantizeLinear', name: unique(`${name}_DequantizeLinear`), input: [q, scale, zeroPoint], output: [dq] })
    dequantized.set(name, dq)
  }
  for (const original of graph.node ?? []) {
    const n: NodeProto = { ...original, input: (original.input ?? []).map((i) => dequantized.get(i) ?? i) }
    if (n.opType === 'Conv') quantizeConv(original, n)
    if (n.opType === 'Gemm' && plainGemm(original)) quantizeGemm(original, n)
    nodes.push(n)
    for (const out of n.output ?? []) if (chosen.has(out)) quantize(out)
  }

  /** Int8 weights and int32 bias behind DequantizeLinear nodes, for a Conv whose input is quantized. */
  /** Int8 weights with one scale per output channel (on `axis`) behind a DequantizeLinear; returns its output's name. */
  function dequantizedWeight(wName: string, values: Int8Array, scales: Float32Array, dims: number[], axis: number): string {
    const channels = scales.length
    const wq = constant(`${wName}_quantized`, values, dims)
    const ws = constant(`${wName}_scale`, scales, [channels])
    const wz = constant(`${wName}_zero_point`, new Int8Array(channels), [channels])
    const wdq = unique(`${wName}_dequantized`)
    nodes.push({
      opType: 'DequantizeLinear',
      name: unique(`${wName}_DequantizeLinear`),
      input: [wq, ws, wz],
      output: [wdq],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }],
    })
    return wdq
  }

  function quantizeConv(original: NodeProto, n: NodeProto): void {
    const [x, wName, bName] = original.input ?? []
    const w = initializers.get(wName)
    if (!w) return
    const dims = (w.dims ?? []).map(num)
    const channels = dims[0]
    const { scales, values } = quantizeWeights(floatData(w), channels)
    n.input![1] = dequantizedWeight(wName, values, scales, dims, 0)
    const inputParams = params.get(x)
    const b = bName ? initializers.get(bName) : undefined
    if (!b || !inputParams) return
    const bias = floatData(b)
    // Bias correction: quantizing the weights shifts each output's mean by (W_q − W) · E[x]; take it back out of the
    // bias, with E[x] the calibration mean of each input channel (padding ignored).
    const means = options.biasCorrection === false ? undefined : ranges.get(x)?.channelMeans
    if (means) {
      const group = num(original.attribute?.find((a) => a.name === 'group')?.i ?? 1)
      const perGroupOut = channels / group
      const [, cinPerGroup] = dims
      const kernel = dims.slice(2).reduce((a, c) => a * c, 1)
      const wf = floatData(w)
      for (let o = 0; o < channels; o++) {
        const firstInput = Math.floor(o / perGroupOut) * cinPerGroup
        let shift = 0
        for (let i = 0; i < cinPerGroup; i++) {
          let dw = 0
          for (let k = 0; k < kernel; k++) {
            const at = (o * cinPerGroup + i) * kernel + k
            dw += values[at] * scales[o] - wf[at]
          }
          shift += dw * means[firstInput + i]
        }
        bias[o] -= shift
      }
    }
    n.input![2] = int32Bias(bName, bias, inputParams.scale, scales)
  }

  /**
   * Int8 weights per output column and an int32 bias behind DequantizeLinear nodes, for a Gemm (x · B + C) whose
   * input is quantized: B is [in, out] (or [out, in] with transB), C [out].
   */
  function quantizeGemm(original: NodeProto, n: NodeProto): void {
    const [x, wName, bName] = original.input ?? []
    const w = initializers.get(wName)
    if (!w) return
    const dims = (w.dims ?? []).map(num)
    if (dims.length !== 2) return
    const transB = num(original.attribute?.find((a) => a.name === 'transB')?.i ?? 0) === 1
    const [inUnits, units] = transB ? [dims[1], dims[0]] : dims
    const wf = floatData(w)
    const { scales, values } = transB ? quantizeWeights(wf, units) : quantizeColumns(wf, inUnits, units)
    const at = (k: number, o: number) => (transB ? o * inUnits + k : k * units + o)
    n.input![1] = dequantizedWeight(wName, values, scales, dims, transB ? 0 : 1)
    const inputParams = params.get(x)
    const b = bName ? initializers.get(bName) : undefined
    if (!b || !inputParams) return
    const bias = floatData(b)
    if (bias.length !== units) return
    // Bias correction, as for a convolution: each output's shift (W_q − W) · E[x], with E[x] each input's mean.
    const means = options.biasCorrection === false ? undefined : ranges.get(x)?.channelMeans
    if (means && means.length === inUnits) {
      for (let o = 0; o < units; o++) {
        let shift = 0
        for (let k = 0; k < inUnits; k++) shift += (values[at(k, o)] * scales[o] - wf[at(k, o)]) * means[k]
        bias[o] -= shift
      }
    }
    n.input![2] = int32Bias(bName, bias, inputParams.scale, scales)
  }

  /** A bias as int32 (scale input scale × weight scale per channel) behind a DequantizeLinear: its dequantized name. */
  function int32Bias(bName: string, bias: Float32Array, inputScale: number, weightScales: Float32Array): string {
    const channels = weightScales.length
    const biasScales = new Float32Array(channels)
    const biasValues = new Int32Array(channels)
    for (let o = 0; o < channels; o++) {
      biasScales[o] = Math.fround(inputScale * weightScales[o])
      biasValues[o] = Math.max(-INT32_MAX, Math.min(INT32_MAX, Math.round(bias[o] / biasScales[o])))
    }
    const bq = constant(`${bName}_quantized`, biasValues, [channels])
    const bs = constant(`${bName}_scale`, biasScales, [channels])
    const bz = constant(`${bName}_zero_point`, new Int32Array(channels), [channels])
    const bdq = unique(`${bName}_dequantized`)
    nodes.push({
      opType: 'DequantizeLinear',
      name: unique(`${bName}_DequantizeLinear`),
      input: [bq, bs, bz],
      output: [bdq],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    })
    return bdq
  }

  // The float weights and biases now live only as their quantized copies.
  const replaced = new Set(
    (graph.node ?? []).filter((n) => WEIGHTED.has(n.opType ?? '')).flatMap((n) => (n.input ?? []).slice(1).filter((i) => initializers.has(i))),
  )
  const stillRead = new Set(nodes.flatMap((n) => n.input ?? []))
  const kept = (graph.initializer ?? []).filter((t) => !replaced.has(t.name!) || stillRead.has(t.name!))
  const out: onnx.IModelProto = {
    ...model,
    metadataProps: [...(model.metadataProps ?? []), { key: 'quantization', value: `static QDQ: int8 per-channel weights, ${type} activations` }],
    graph: { ...graph, node: nodes, initializer: [...kept, ...newInitializers] },
  }
  return onnx.ModelProto.encode(out).finish()
}

/**
 * Static int8 quantization: calibrate the float model's activations on `images` (each [H, W, 3] float 0–255, as the
 * model takes one image) and write it as QDQ ONNX. The result takes and returns exactly what the float model does.
 */
export async function quantizeOnnx(fp32: Uint8Array, images: readonly Float32Array[], options: QuantizeOptions = {}): Promise<Uint8Array> {
  const names = activationsToQuantize(onnx.ModelProto.decode(fp32).graph!, options)
  const ranges = await calibrate(fp32, images, names, options)
  return quantizeWithRanges(fp32, ranges, options)
}
