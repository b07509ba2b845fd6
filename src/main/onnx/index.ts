// ONNX: the detectors as ONNX models (the official schema, compiled by protobufjs), for ONNX Runtime on the device
// and for anyone's tools outside the studio. docs/runtimes.md.
export { DEFAULT_OPSET, layersToOnnx, type OnnxExportOptions } from './from-layers.js'
export { OnnxGraph, DataType } from './graph.js'
