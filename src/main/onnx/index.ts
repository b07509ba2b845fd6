// ONNX: the detectors as ONNX models (the official schema, compiled by protobufjs), for ONNX Runtime on the device
// and for anyone's tools outside the studio; static int8 quantization (QDQ) and in-process ONNX Runtime inference.
// docs/runtimes.md.
export { DEFAULT_OPSET, layersToOnnx, type OnnxExportOptions } from './from-layers.js'
export { OnnxGraph, DataType } from './graph.js'
export {
  activationParams,
  activationsToQuantize,
  DEFAULT_OUTPUT_PERCENTILE,
  outputTail,
  calibrate,
  quantizeOnnx,
  quantizeColumns,
  quantizeWeights,
  quantizeWithRanges,
  type ActivationType,
  type QuantizeOptions,
  type TensorRange,
} from './quantize.js'
export { OnnxDetector, type OnnxDetectorOptions, OnnxNetwork, type RawOutputs } from './session.js'
export {
  CALIBRATION_PHOTOS,
  calibrationInputs,
  detectWithOnnx,
  int8AccuracyCost,
  quantizeForProject,
  scoreOnnx,
  valImages,
  type Int8AccuracyCost,
  type Int8AccuracyOptions,
  type ProjectQuantizeOptions,
} from './accuracy.js'
export { classifierInt8Cost, classifierValImages, classifyWithOnnx, type ClassifierInt8Cost } from './classifier-accuracy.js'
