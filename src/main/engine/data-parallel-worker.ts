// One replica of a data-parallel trainer (data-parallel.ts), run in a worker thread: its own TF.js engine (initEngine:
// wasm with the studio's kernels, unless told otherwise), its own copy of the model and optimizer, and its shard of the
// batch as tensors. Per step it sends its shard's gradients as one flat Float32Array and applies the average it gets
// back — the same update in every replica, so the replicas never drift apart.
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { initEngine } from './backend.js'
import { freezeLayers } from './freeze.js'
import { ScheduledAdam, type ScheduledOptimizer } from './optimizers.js'
import type { Batch, LossSource, ModelSource, ModuleExport, OptimizerConfig, WorkerInit, WorkerReply, WorkerRequest } from './data-parallel.js'

type LossFn = (model: tfl.LayersModel, batch: Record<string, tf.Tensor>) => tf.Scalar | { loss: tf.Scalar; metrics: Record<string, tf.Scalar> }

// Every built-in takes (labels, predictions) and defaults to a mean over the batch, as data parallelism needs.
const builtinLosses = {
  meanSquaredError: tf.losses.meanSquaredError,
  absoluteDifference: tf.losses.absoluteDifference,
  huberLoss: tf.losses.huberLoss,
  softmaxCrossEntropy: tf.losses.softmaxCrossEntropy,
  sigmoidCrossEntropy: tf.losses.sigmoidCrossEntropy,
} as const

async function importExport(ref: ModuleExport): Promise<unknown> {
  const url = ref.module.startsWith('file:') ? ref.module : pathToFileURL(ref.module).href
  const mod = (await import(url)) as Record<string, unknown>
  if (!(ref.export in mod)) throw new Error(`${ref.module} has no export ${ref.export}`)
  return mod[ref.export]
}

async function buildModel(source: ModelSource): Promise<tfl.LayersModel> {
  if ('topology' in source) return tfl.models.modelFromJSON(source.topology as Parameters<typeof tfl.models.modelFromJSON>[0])
  const fn = await importExport(source)
  if (typeof fn !== 'function') throw new Error(`${source.module}: ${source.export} is not a function`)
  const model = (await fn(...(source.args ?? []))) as tfl.LayersModel
  if (!model || !Array.isArray(model.weights) || typeof model.apply !== 'function') {
    throw new Error(`${source.module}: ${source.export}() did not return a tfjs-layers model`)
  }
  return model
}

async function buildLoss(source: LossSource): Promise<LossFn> {
  if (typeof source === 'string') {
    const loss = builtinLosses[source]
    if (!loss) throw new Error(`unknown loss ${source}; use one of ${Object.keys(builtinLosses).join(', ')} or a module export`)
    return (model, b) => {
      if (!b.x || !b.y) throw new Error(`the built-in loss ${source} needs batch tensors named x and y`)
      return loss(b.y, model.apply(b.x, { training: true }) as tf.Tensor) as tf.Scalar
    }
  }
  const fn = await importExport(source)
  if (typeof fn !== 'function') throw new Error(`${source.module}: ${source.export} is not a function`)
  const args = source.args ?? []
  return (model, b) => fn(model, b, ...args)
}

function buildOptimizer(c: OptimizerConfig): ScheduledOptimizer {
  if (c.name === 'adam') return new ScheduledAdam(c.learningRate, c.beta1, c.beta2, c.epsilon)
  if (c.name === 'sgd') return tf.train.sgd(c.learningRate)
  throw new Error(`unknown optimizer ${(c as { name: string }).name}`)
}

async function main() {
  const port = parentPort
  if (!port) throw new Error('data-parallel-worker runs as a worker thread (see startDataParallel)')
  const init = workerData as WorkerInit

  let ready: Awaited<ReturnType<typeof setUp>>
  try {
    ready = await setUp(init)
  } catch (e) {
    port.postMessage({ type: 'failed', error: (e as Error).stack ?? String(e) } satisfies WorkerReply)
    return
  }
  const { model, loss, optimizer, engine } = ready
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const sizes = variables.map((v) => v.size)
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0))
  const total = sizes.reduce((a, b) => a + b, 0)
  // The gradient buffer goes to the main thread each step (transferred, so it is gone here) and comes back holding the
  // average; keeping it avoids allocating 4 bytes × parameters every step.
  let buffer: Float32Array | null = new Float32Array(total)
  // Variables the loss reached in the last step; the others get no update, as with optimizer.minimize().
  let reached: boolean[] = variables.map(() => true)
  // Variables of frozen layers (freeze requests) get no gradient, so no update either.
  let learning: tf.Variable[] = variables
  let shard: Record<string, tf.Tensor> = {}

  const handle = (msg: WorkerRequest): { reply: WorkerReply; transfer?: ArrayBuffer[] } => {
    switch (msg.op) {
      case 'gradients': {
        if (msg.shard) {
          tf.dispose(Object.values(shard))
          shard = toTensors(msg.shard)
        }
        if (Object.keys(shard).length === 0) throw new Error('no batch yet')
        const out = buffer ?? new Float32Array(total)
        buffer = null
        if (Object.values(shard)[0].shape[0] === 0) {
          // An empty shard (a batch smaller than the replicas): nothing to learn here, and `reached` stays as it was.
          out.fill(0)
          return { reply: { id: msg.id, loss: 0, metrics: {}, gradients: out }, transfer: [out.buffer as ArrayBuffer] }
        }
        let kept: Record<string, tf.Scalar> = {}
        const { value, grads } = tf.variableGrads(() => {
          const result = loss(model, shard)
          if (result instanceof tf.Tensor) return result
          kept = Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, tf.keep(v)]))
          return result.loss
        }, learning)
        reached = variables.map((v, i) => {
          const g = grads[v.name]
          if (g) out.set(g.dataSync() as Float32Array, offsets[i])
          else out.fill(0, offsets[i], offsets[i] + sizes[i])
          return g != null
        })
        const lossValue = value.dataSync()[0]
        const metrics = Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, v.dataSync()[0]]))
        tf.dispose([value, ...Object.values(grads), ...Object.values(kept)])
        return { reply: { id: msg.id, loss: lossValue, metrics, gradients: out }, transfer: [out.buffer as ArrayBuffer] }
      }
      case 'apply': {
        const g = msg.gradients
        if (g.length !== total) throw new Error(`expected ${total} gradient values, got ${g.length}`)
        if (msg.learningRate !== undefined) optimizer.setLearningRate(msg.learningRate)
        const named: tf.NamedTensorMap = {}
        // Every variable in one order, those without an update as null: TF.js's Adam keeps its moments by position in
        // this map, so one that changed size (a layer frozen, then not) would pair moments with the wrong variables.
        variables.forEach((v, i) => {
          named[v.name] = (reached[i] ? tf.tensor(g.subarray(offsets[i], offsets[i] + sizes[i]), v.shape) : null) as tf.Tensor
        })
        optimizer.applyGradients(named)
        // Safe to reuse the buffer afterwards: the backend copied the values in (wasm) or the tensors are gone (cpu).
        tf.dispose(Object.values(named).filter((t) => t !== null))
        buffer = g
        return { reply: { id: msg.id } }
      }
      case 'getWeights': {
        // Copies: a backend may hand out its own storage (the CPU backend does), which must not be transferred away.
        const weights = model.weights.map((w) => new Float32Array(w.read().dataSync() as Float32Array))
        return { reply: { id: msg.id, weights }, transfer: weights.map((w) => w.buffer as ArrayBuffer) }
      }
      case 'freeze': {
        learning = freezeLayers(model, msg.layers)
        return { reply: { id: msg.id } }
      }
      case 'setWeights': {
        const tensors = model.weights.map((w, k) => tf.tensor(msg.weights[k], w.shape as number[]))
        model.setWeights(tensors)
        tf.dispose(tensors)
        return { reply: { id: msg.id } }
      }
    }
  }

  port.on('message', (msg: WorkerRequest) => {
    try {
      const { reply, transfer } = handle(msg)
      port.postMessage(reply, transfer ?? [])
    } catch (e) {
      port.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) } satisfies WorkerReply)
    }
  })
  port.postMessage({
    type: 'ready',
    backend: engine.name,
    weights: model.weights.map((w) => ({ name: w.name, shape: w.shape as number[], trainable: w.trainable })),
  } satisfies WorkerReply)
}

async function setUp(init: WorkerInit) {
  const engine = await initEngine({ backend: init.backend })
  const model = await buildModel(init.model)
  for (const w of model.weights) {
    if (w.dtype !== 'float32') throw new Error(`weight ${w.name} is ${w.dtype}; data-parallel training handles float32 weights`)
  }
  if (model.trainableWeights.length === 0) throw new Error('the model has no trainable weights')
  return { engine, model, loss: await buildLoss(init.loss), optimizer: buildOptimizer(init.optimizer) }
}

function toTensors(batch: Batch): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {}
  for (const [name, t] of Object.entries(batch)) out[name] = tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32')
  return out
}

await main()
