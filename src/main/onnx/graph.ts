// A small builder for ONNX graphs over the official schema (onnx-proto.js, compiled from onnx.proto): named tensors,
// nodes with typed attributes, initializers stored as raw little-endian bytes, and the model's bytes at the end.
// Initializers are kept as typed arrays until `toBytes`, so a later step (batch-norm folding, quantization) can still
// change them in place.
import { onnx } from './onnx-proto.js'

/** ONNX element types used here (TensorProto.DataType). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const
export type DataType = (typeof DataType)[keyof typeof DataType]

export type TensorData = Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array

function dataTypeOf(data: TensorData): DataType {
  if (data instanceof Float32Array) return DataType.FLOAT
  if (data instanceof Int32Array) return DataType.INT32
  if (data instanceof Int8Array) return DataType.INT8
  if (data instanceof Uint8Array) return DataType.UINT8
  return DataType.INT64
}

export type AttributeValue = number | number[] | string | { float: number } | { ints: number[] } | { floats: number[] }

/** An attribute as ONNX encodes it: a plain number or number[] is an int or ints; a float says so (`{ float }`). */
function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not whole; pass { float } for a float`)
    return { name, type: T.INT, i: value }
  }
  if ('float' in value) return { name, type: T.FLOAT, f: value.float }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value }
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints }
  return { name, type: T.FLOATS, floats: value.floats }
}

export interface Initializer {
  name: string
  dims: number[]
  data: TensorData
}

export interface Node {
  op: string
  name: string
  inputs: string[]
  outputs: string[]
  attributes: Record<string, AttributeValue>
  domain?: string
}

/** A graph input or output: float32 with these dims; a string dim is symbolic (e.g. 'batch'). */
export interface ValueInfo {
  name: string
  dims: (number | string)[]
  elemType?: DataType
}

export interface ModelOptions {
  name: string
  inputs: ValueInfo[]
  outputs: ValueInfo[]
  opset: number
  docString?: string
  /** Key-value metadata carried in the model (ModelProto.metadata_props). */
  metadata?: Record<string, string>
}

/**
 * The ONNX IR version released with an opset (ONNX 1.8–1.9: IR 7 with opsets 13–14; 1.10–1.12: IR 8 with 15–17): the
 * lowest that carries it, so older readers (e.g. OpenCV's) accept the file.
 */
const irVersionFor = (opset: number): number => (opset <= 14 ? 7 : 8)

export class OnnxGraph {
  readonly nodes: Node[] = []
  readonly initializers = new Map<string, Initializer>()
  private readonly used = new Set<string>()

  /** A fresh tensor or node name based on `base` (base itself when unused). */
  unique(base: string): string {
    let name = base
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`
    this.used.add(name)
    return name
  }

  /** A constant tensor; returns its name. */
  initializer(base: string, data: TensorData, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1)
    if (size !== data.length) throw new Error(`initializer ${base}: ${data.length} values for dims [${dims.join(', ')}]`)
    const name = this.unique(base)
    this.initializers.set(name, { name, dims, data })
    return name
  }

  scalar(base: string, value: number): string {
    return this.initializer(base, new Float32Array([value]), [])
  }

  int64s(base: string, values: number[]): string {
    return this.initializer(base, BigInt64Array.from(values.map(BigInt)), [values.length])
  }

  /** Add a node; returns its (first) output's name. Outputs default to one named after the node. */
  node(op: string, base: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs?: string[]): string {
    const name = this.unique(base)
    const outs = outputs ?? [name]
    for (const o of outs) if (o !== name) this.used.add(o)
    this.nodes.push({ op, name, inputs, outputs: outs, attributes })
    return outs[0]
  }

  /** The nodes that read `tensor`. */
  consumers(tensor: string): Node[] {
    return this.nodes.filter((n) => n.inputs.includes(tensor))
  }

  producer(tensor: string): Node | undefined {
    return this.nodes.find((n) => n.outputs.includes(tensor))
  }

  /** The model as ONNX bytes. */
  toBytes(options: ModelOptions): Uint8Array {
    const valueInfo = (v: ValueInfo): onnx.IValueInfoProto => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: v.elemType ?? DataType.FLOAT,
          shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    })
    const model: onnx.IModelProto = {
      irVersion: irVersionFor(options.opset),
      producerName: 'kindling-studio',
      producerVersion: '1',
      domain: 'studio.kindling',
      docString: options.docString,
      opsetImport: [{ domain: '', version: options.opset }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.name,
        node: this.nodes.map((n) => ({
          opType: n.op,
          name: n.name,
          input: n.inputs,
          output: n.outputs,
          domain: n.domain,
          attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
        })),
        initializer: [...this.initializers.values()].map((t) => ({
          name: t.name,
          dims: t.dims,
          dataType: dataTypeOf(t.data),
          // Raw bytes are little-endian by the spec, as every platform Node runs on is.
          rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
        })),
        input: options.inputs.map(valueInfo),
        output: options.outputs.map(valueInfo),
      },
    }
    return onnx.ModelProto.encode(model).finish()
  }
}
