// What "no leaks" is measured with: live tensors (tf.memory) and, on wasm, the tensors held by the backend and the
// size of the wasm heap (which only ever grows, so a leak of native memory — e.g. cached XNNPACK operators — shows
// as growth between two snapshots taken after warm-up).
import * as tf from '@tensorflow/tfjs-core'

export interface MemorySnapshot {
  numTensors: number
  numBytes: number
  /** Data buffers the backend holds (wasm: one per live tensor buffer). */
  backendBuffers: number
  /** wasm heap size in bytes; 0 on other backends. */
  wasmHeapBytes: number
}

export function memorySnapshot(): MemorySnapshot {
  const m = tf.memory()
  const backend = tf.backend() as unknown as { numDataIds(): number; wasm?: { HEAPU8: Uint8Array } }
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    backendBuffers: backend.numDataIds(),
    wasmHeapBytes: backend.wasm?.HEAPU8.byteLength ?? 0,
  }
}

/**
 * Say what a wasm abort means. The wasm backend's heap cannot grow past 4 GB (32-bit addresses); a kernel whose
 * allocation fails then aborts with a bare "Aborted(). Build with -sASSERTIONS for more info.", which tells a user
 * nothing. Any other error is returned as it was.
 */
export function explainWasmAbort(message: string, what: string, remedy: string): string {
  if (!/^Aborted\(/.test(message) && !/\bAborted\(\)/.test(message)) return message
  return `${what} needs more memory than the wasm backend can have (4 GB): ${remedy} (the backend said: ${message})`
}
