// A detector exported as ONNX, run in-process by ONNX Runtime: the same input as the TF.js model (float32 RGB 0–255,
// NHWC [batch, height, width, 3]) and the same raw outputs (classLogits [B, A, C+1], boxOffsets [B, A, 4]), so the
// studio's decoder and evaluation run on it unchanged. Threads default to every core ONNX Runtime sees.
import os from 'node:os'
import * as tf from '@tensorflow/tfjs-core'
import * as ort from 'onnxruntime-node'

export interface OnnxDetectorOptions {
  /** Intra-op threads; default: all cores (os.availableParallelism()). */
  threads?: number
}

/** A batch's raw outputs as plain arrays, with their shapes. */
export interface RawOutputs {
  classLogits: Float32Array
  boxOffsets: Float32Array
  /** [batch, anchors, classes + 1] */
  classShape: [number, number, number]
  /** [batch, anchors, 4] */
  boxShape: [number, number, number]
}

/** An inference session on `threads` intra-op threads (default: every core), graph optimisations all on. */
async function createSession(bytes: Uint8Array, options: OnnxDetectorOptions): Promise<{ session: ort.InferenceSession; threads: number }> {
  const threads = options.threads ?? os.availableParallelism()
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`threads must be a whole number ≥ 1, not ${threads}`)
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  })
  return { session, threads }
}

/**
 * Any image network exported by layersToOnnx (input `image`, NHWC 0–255), its outputs as plain arrays in the model's
 * order: what a fine-tune's frozen feature extractor runs on (train/cached-head.ts).
 */
export class OnnxNetwork {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(bytes: Uint8Array, options: OnnxDetectorOptions = {}): Promise<OnnxNetwork> {
    const { session } = await createSession(bytes, options)
    if (session.inputNames.length !== 1 || session.inputNames[0] !== 'image') {
      await session.release()
      throw new Error(`not an image network: it takes ${session.inputNames.join(', ')}`)
    }
    return new OnnxNetwork(session)
  }

  /** Each output's values for `batch` images stacked in `pixels` ([batch, height, width, 3]). */
  async run(pixels: Float32Array, shape: readonly number[]): Promise<Float32Array[]> {
    const input = new ort.Tensor('float32', pixels, [...shape])
    try {
      const out = await this.session.run({ image: input })
      return this.session.outputNames.map((name) => out[name].data as Float32Array)
    } finally {
      input.dispose()
    }
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}

export class OnnxDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The model's input size: [height, width]. */
    readonly inputSize: { height: number; width: number },
    readonly threads: number,
  ) {}

  /** Load ONNX bytes (fp32 or QDQ int8, as written by layersToOnnx / quantizeOnnx) into an inference session. */
  static async load(bytes: Uint8Array, options: OnnxDetectorOptions = {}): Promise<OnnxDetector> {
    const { session, threads } = await createSession(bytes, options)
    const [inputName] = session.inputNames
    const missing = ['classLogits', 'boxOffsets'].filter((n) => !session.outputNames.includes(n))
    if (inputName !== 'image' || missing.length > 0) {
      await session.release()
      throw new Error(`not a detector: it takes ${session.inputNames.join(', ')} and returns ${session.outputNames.join(', ')}`)
    }
    const meta = session.inputMetadata[0]
    const shape = meta && 'shape' in meta ? meta.shape : []
    const [height, width] = [Number(shape[1]), Number(shape[2])]
    if (!(height > 0 && width > 0)) {
      await session.release()
      throw new Error(`the model's input has no fixed height and width (shape [${shape.join(', ')}])`)
    }
    return new OnnxDetector(session, { height, width }, threads)
  }

  /** Raw outputs for `batch` images stacked in `pixels` ([batch, height, width, 3], 0–255). */
  async run(pixels: Float32Array, batch: number): Promise<RawOutputs> {
    const { height, width } = this.inputSize
    if (pixels.length !== batch * height * width * 3) {
      throw new Error(`${pixels.length} values for ${batch} images of ${width}×${height}×3`)
    }
    const input = new ort.Tensor('float32', pixels, [batch, height, width, 3])
    const out = await this.session.run({ image: input })
    const dims3 = (t: ort.Tensor) => t.dims.map(Number) as [number, number, number]
    try {
      return {
        classLogits: out.classLogits.data as Float32Array,
        boxOffsets: out.boxOffsets.data as Float32Array,
        classShape: dims3(out.classLogits),
        boxShape: dims3(out.boxOffsets),
      }
    } finally {
      input.dispose()
    }
  }

  /** As the TF.js model's `predict`: [classLogits, boxOffsets] as tensors (the caller disposes them). */
  async predict(images: tf.Tensor4D): Promise<[tf.Tensor3D, tf.Tensor3D]> {
    const raw = await this.run((await images.data()) as Float32Array, images.shape[0])
    return [tf.tensor3d(raw.classLogits, raw.classShape), tf.tensor3d(raw.boxOffsets, raw.boxShape)]
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
