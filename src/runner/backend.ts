// The wasm backend with its binaries carried inside the bundle. In Node, tfjs-backend-wasm reads its .wasm from a
// path with fs; the device has no such file, only this one script. With a file map and "platform fetch" it instead
// fetches each binary by URL, and Node ≥ 18's fetch reads data: URLs — which is what the build turns the imports
// below into. Nothing is written to the device's disk.
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'

export async function initWasmBackend(): Promise<void> {
  if (typeof fetch !== 'function') {
    throw new Error(`node ${process.version} has no fetch; the runner needs node 18 or newer`)
  }
  setWasmPaths(
    {
      'tfjs-backend-wasm-simd.wasm': simd,
      'tfjs-backend-wasm.wasm': plain,
      // Only chosen where wasm threads work, which tfjs never enables in Node; the map must still name it.
      'tfjs-backend-wasm-threaded-simd.wasm': simd,
    },
    true,
  )
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise')
}
