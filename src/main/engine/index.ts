// The training engine: which TF.js backend runs, and the kernels that make the wasm backend train. Model code imports
// tf from '@tensorflow/tfjs-core' / '-layers' as usual and never asks which backend it got.
export {
  backendOrder,
  engineInfo,
  initEngine,
  parseBackendName,
  wasmBinaryDirectory,
  type BackendName,
  type EngineInfo,
  type InitOptions,
} from './backend.js'
export { ScheduledAdam, type ScheduledOptimizer } from './optimizers.js'
export { freezeLayers, frozenMask } from './freeze.js'
export { explainWasmAbort, memorySnapshot, type MemorySnapshot } from './memory.js'
export {
  averageInto,
  DataParallelTrainer,
  NonFiniteStepError,
  splitBatch,
  startDataParallel,
  type Batch,
  type DataParallelOptions,
  type HostTensor,
  type LossSource,
  type ModelSource,
  type ModuleExport,
  type OptimizerConfig,
  type StepOptions,
  type StepResult,
  type WeightInfo,
} from './data-parallel.js'
