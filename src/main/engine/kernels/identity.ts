// Identity for wasm, replacing the backend's own copy: tensors are never written after they are made, so a clone can
// share its input's memory with a reference count, as the CPU backend's Identity does. Backprop clones every tensor a
// gradient saves, so a training step made a full copy of most activations (docs/engine.md, the profile).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import { builtin, type BackendWasm } from './wasm-ops.js'

export const identity: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo }
  if (x.dtype === 'string') return builtin('Identity')(args)
  ;(args.backend as BackendWasm).incRef(x.dataId)
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype }
}

export const identityConfig: KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity }
