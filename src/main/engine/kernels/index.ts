// The project's training kernels for the wasm backend, registered for 'wasm' only (other backends keep their own).
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core'
import { fusedBatchNormGradConfig } from './batch-norm-grad.js'
import { batchNormTrainingConfig, batchNormTrainingGradConfig } from './batch-norm-training.js'
import { clipByValueGradConfig } from './clip-by-value-grad.js'
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js'
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js'
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js'
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js'
import { registerFusedGradients } from './gradients.js'
import { identityConfig } from './identity.js'
import { maxPoolGradConfig } from './max-pool-grad.js'
import { meanConfig, sumConfig } from './reduce-leading.js'
import { relu6GradConfig } from './relu6-grad.js'
import { resizeNearestNeighborGradConfig } from './resize-nearest-neighbor-grad.js'
import { tileConfig } from './tile.js'
import { builtins } from './wasm-ops.js'

export const trainingKernels: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  maxPoolGradConfig,
  resizeNearestNeighborGradConfig,
  // Built-ins replaced for speed (docs/engine.md, "Batch norm's gradient").
  tileConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  // Fused gradients (gradients.ts runs them where the backend has them).
  fusedBatchNormGradConfig,
  clipByValueGradConfig,
  relu6GradConfig,
  // Batch norm in training mode as one kernel each way (fused-layers.ts puts it in the layers).
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
]

let registered = false

/** Register (once) every training kernel for 'wasm', replacing the backend's own where it has a slow one. */
export function registerWasmTrainingKernels(): void {
  if (registered) return
  for (const config of trainingKernels) {
    const existing = getKernel(config.kernelName, 'wasm')
    if (existing) {
      builtins.set(config.kernelName, existing.kernelFunc)
      unregisterKernel(config.kernelName, 'wasm')
    }
    registerKernel(config)
  }
  registerFusedGradients()
  registered = true
}

/** The wasm backend's own Conv2DBackpropInput (a plain loop), kept so the benchmark can compare against it. */
export function builtinWasmConv2DBackpropInput(): KernelFunc | undefined {
  return builtins.get('Conv2DBackpropInput')
}

export { conv2DBackpropInputWith, type InputGradStrategy } from './conv2d-backprop-input.js'
export { limits } from './wasm-ops.js'
export { BATCH_NORM_TRAINING, batchNormTrainingApplies } from './batch-norm-training.js'
