// src/main/onnx/onnx-proto.js (and .d.ts) are generated from the official onnx.proto (`npm run onnx-proto`); this keeps
// them from drifting apart: onnx.proto changed without regenerating, or the generated files edited by hand, fails here.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileOnnxProto, MODULE_FILE, TYPES_FILE } from '../../../scripts/onnx-proto.js'

describe('onnx-proto.js', () => {
  it('is what onnx.proto compiles to', () => {
    const { module, types } = compileOnnxProto()
    const stale = 'out of date with onnx.proto: run `npm run onnx-proto` and commit it'
    expect(fs.readFileSync(MODULE_FILE, 'utf8') === module, `onnx-proto.js is ${stale}`).toBe(true)
    expect(fs.readFileSync(TYPES_FILE, 'utf8') === types, `onnx-proto.d.ts is ${stale}`).toBe(true)
  }, 60_000)
})
