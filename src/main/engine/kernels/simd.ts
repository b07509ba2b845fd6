// Wasm SIMD loops over the wasm backend's own heap, for the elementwise passes of our fused kernels (batch norm in
// training, ReLU6's gradient). As plain JavaScript those passes ran at 2–4 ns an element on this project's machine,
// where the backend's XNNPACK elementwise kernels take about 0.3–0.5: four lanes at a time and no JIT guesswork. The
// module is a few hand-assembled functions (no toolchain in the build): it imports the backend's WebAssembly.Memory,
// so it reads and writes tensors where they are, with byte offsets from the backend's data map. Where SIMD is not
// available, or a tensor's channels are not a multiple of 4, the callers keep their JavaScript loops.
// Measurements: docs/engine.md, "Batch norm in training, ReLU6 and SIMD passes".
import type { TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from './wasm-ops.js'

// --- A minimal assembler: just what the functions below use. -------------------------------------------------------

const uleb = (n: number): number[] => {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}
const sleb = (n: number): number[] => {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()]
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))]

const I32 = 0x7f
const F32 = 0x7d
const V128 = 0x7b
const get = (i: number) => [0x20, ...uleb(i)]
const set = (i: number) => [0x21, ...uleb(i)]
const tee = (i: number) => [0x22, ...uleb(i)]
const i32 = (n: number) => [0x41, ...sleb(n)]
const add = [0x6a]
const sub = [0x6b]
const mul = [0x6c]
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm]
const load = (offset = 0) => simd(0x00, 2, ...uleb(offset)) // v128.load, 4-byte alignment hint
const store = (offset = 0) => simd(0x0b, 2, ...uleb(offset))
const f32x4 = { splat: simd(0x13), gt: simd(0x44), le: simd(0x45), ge: simd(0x46), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6) }
const f64x2 = { add: simd(0xf0), mul: simd(0xf2), promoteLow: simd(0x5f) }
const and = simd(0x4e)
/** The high two f32 lanes moved down, so that promoteLow widens them. */
const highHalf = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)
/** ptr += step */
const advance = (local: number, step: number) => [...get(local), ...i32(step), ...add, ...set(local)]
/** `body` repeated while the counter in `local` (> 0 on entry, decremented after each pass) is not zero. */
const countdown = (local: number, body: number[]) => [
  ...[0x02, 0x40], // block
  ...get(local),
  0x45, // i32.eqz
  ...[0x0d, 0], // br_if 0: nothing to do
  ...[0x03, 0x40], // loop
  ...body,
  ...get(local),
  ...i32(1),
  ...sub,
  ...tee(local),
  ...[0x0d, 0], // br_if 0: again
  0x0b, // end loop
  0x0b, // end block
]

interface Fn {
  name: string
  params: number[]
  locals: number[]
  body: number[]
}

function assemble(fns: Fn[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0])
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory import, min 0 pages, no max
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(
      10,
      vec(
        fns.map((f) => {
          const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, 0x0b]
          return [...uleb(body.length), ...body]
        }),
      ),
    ),
  ]
  return Uint8Array.from(bytes)
}

// --- The functions. Pointers are byte offsets into the backend's heap; counts are in groups of 4 floats. ---------------

/** dx = dy where lo < x ≤ hi (strict) or lo ≤ x ≤ hi, else +0: the mask is and-ed in, so NaN never leaks through. */
const mask = (fnName: string, loCompare: number[]): Fn => {
  // params: dy, x, dx, groups, lo, hi; locals: vlo, vhi
  const [dy, x, dx, n, lo, hi, vlo, vhi] = [0, 1, 2, 3, 4, 5, 6, 7]
  return {
    name: fnName,
    params: [I32, I32, I32, I32, F32, F32],
    locals: [V128, V128],
    body: [
      ...get(lo),
      ...f32x4.splat,
      ...set(vlo),
      ...get(hi),
      ...f32x4.splat,
      ...set(vhi),
      ...countdown(n, [
        ...get(dx),
        ...get(dy),
        ...load(),
        ...get(x),
        ...load(),
        ...get(vlo),
        ...loCompare,
        ...get(x),
        ...load(),
        ...get(vhi),
        ...f32x4.le,
        ...and,
        ...and,
        ...store(),
        ...advance(dy, 16),
        ...advance(x, 16),
        ...advance(dx, 16),
      ]),
    ],
  }
}

/** out = (u − m)·a + b per channel; coef holds m, a, b (C floats each). */
const affine: Fn = (() => {
  // params: u, out, coef, pixels, groups; locals: g, c, cb (C·4 bytes)
  const [u, out, coef, pixels, groups, g, c, cb] = [0, 1, 2, 3, 4, 5, 6, 7]
  return {
    name: 'affine',
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32],
    body: [
      ...get(groups),
      ...i32(16),
      ...mul,
      ...set(cb),
      ...countdown(pixels, [
        ...get(groups),
        ...set(g),
        ...get(coef),
        ...set(c),
        ...countdown(g, [
          ...get(out),
          ...get(u),
          ...load(),
          ...get(c),
          ...load(),
          ...f32x4.sub,
          ...get(c),
          ...get(cb),
          ...add,
          ...load(),
          ...f32x4.mul,
          ...get(c),
          ...get(cb),
          ...get(cb),
          ...add,
          ...add,
          ...load(),
          ...f32x4.add,
          ...store(),
          ...advance(u, 16),
          ...advance(out, 16),
          ...advance(c, 16),
        ]),
      ]),
    ],
  }
})()

/** out = A·u + B·(v − m) + K per channel; coef holds m, A, B, K (C floats each). */
const affine2: Fn = (() => {
  // params: u, v, out, coef, pixels, groups; locals: g, c, cb
  const [u, v, out, coef, pixels, groups, g, c, cb] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const coefAt = (k: number) => [...get(c), ...get(cb), ...i32(k), ...mul, ...add, ...load()]
  return {
    name: 'affine2',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32],
    body: [
      ...get(groups),
      ...i32(16),
      ...mul,
      ...set(cb),
      ...countdown(pixels, [
        ...get(groups),
        ...set(g),
        ...get(coef),
        ...set(c),
        ...countdown(g, [
          ...get(out),
          ...get(u),
          ...load(),
          ...coefAt(1),
          ...f32x4.mul,
          ...get(v),
          ...load(),
          ...get(c),
          ...load(),
          ...f32x4.sub,
          ...coefAt(2),
          ...f32x4.mul,
          ...f32x4.add,
          ...coefAt(3),
          ...f32x4.add,
          ...store(),
          ...advance(u, 16),
          ...advance(v, 16),
          ...advance(out, 16),
          ...advance(c, 16),
        ]),
      ]),
    ],
  }
})()

/**
 * Per channel, into float64 accumulators acc = [Σa (C), Σa·b (C)]: every float32 value and product widened to float64
 * first (a product of two float32 is exact in float64), as accurate as the JavaScript sums.
 */
const sums: Fn = (() => {
  // params: a, b, acc, pixels, groups; locals: g, c, cb (C·8 bytes), va, vb, lo, hi
  const [a, b, acc, pixels, groups, g, c, cb, va, vb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  // acc[at] += value (two f64 lanes), at = c (+ cb) with a static offset
  const accumulate = (second: boolean, offset: number, value: number[]) => [
    ...get(c),
    ...(second ? [...get(cb), ...add] : []),
    ...get(c),
    ...(second ? [...get(cb), ...add] : []),
    ...load(offset),
    ...value,
    ...f64x2.add,
    ...store(offset),
  ]
  const low = (v: number) => [...get(v), ...f64x2.promoteLow]
  const high = (v: number) => [...get(v), ...get(v), ...highHalf, ...f64x2.promoteLow]
  return {
    name: 'sums',
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128, V128],
    body: [
      ...get(groups),
      ...i32(32),
      ...mul,
      ...set(cb),
      ...countdown(pixels, [
        ...get(groups),
        ...set(g),
        ...get(acc),
        ...set(c),
        ...countdown(g, [
          ...get(a),
          ...load(),
          ...set(va),
          ...get(b),
          ...load(),
          ...set(vb),
          ...accumulate(false, 0, low(va)),
          ...accumulate(false, 16, high(va)),
          ...accumulate(true, 0, [...low(va), ...low(vb), ...f64x2.mul]),
          ...accumulate(true, 16, [...high(va), ...high(vb), ...f64x2.mul]),
          ...advance(a, 16),
          ...advance(b, 16),
          ...advance(c, 32),
        ]),
      ]),
    ],
  }
})()

/**
 * The depthwise filter gradient's inner sweep, one tap over one stretch of an output row for every group of 4 channels
 * (multiplier 1): acc[c] += Σ_j x[x0 + j·xStep][c] · dy[d0 + j·dStep][c]. Products and the stretch's sum are float32
 * (the caller keeps stretches short: the rounding of a 64-term sum is ~1e-7 of it), the accumulators float64.
 */
const depthwiseTap: Fn = (() => {
  // params: x0, d0, count, xStep, dStep, acc, groups; locals: j, xi, di, sum
  const [x0, d0, count, xStep, dStep, acc, groups, j, xi, di, total] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  return {
    name: 'depthwiseTap',
    params: [I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128],
    body: countdown(groups, [
      ...simd(0x0c, ...new Array<number>(16).fill(0)), // v128.const 0
      ...set(total),
      ...get(count),
      ...set(j),
      ...get(x0),
      ...set(xi),
      ...get(d0),
      ...set(di),
      ...countdown(j, [
        ...get(total),
        ...get(xi),
        ...load(),
        ...get(di),
        ...load(),
        ...f32x4.mul,
        ...f32x4.add,
        ...set(total),
        ...get(xi),
        ...get(xStep),
        ...add,
        ...set(xi),
        ...get(di),
        ...get(dStep),
        ...add,
        ...set(di),
      ]),
      ...get(acc),
      ...get(acc),
      ...load(),
      ...get(total),
      ...f64x2.promoteLow,
      ...f64x2.add,
      ...store(),
      ...get(acc),
      ...get(acc),
      ...load(16),
      ...get(total),
      ...get(total),
      ...highHalf,
      ...f64x2.promoteLow,
      ...f64x2.add,
      ...store(16),
      ...advance(x0, 16),
      ...advance(d0, 16),
      ...advance(acc, 32),
    ]),
  }
})()

/**
 * Im2col's transpose for one output row and one tap: `quads` groups of 4 pixels (x0, stepping xStep bytes a pixel)
 * × `groups` groups of 4 channels, each 4×4 block transposed in registers so that channel c's pixels land as a run in
 * output row c (rows rowBytes apart, starting at out).
 */
const gatherQuads: Fn = (() => {
  // params: x0, xStep, out, rowBytes, quads, groups; locals: g, xi, o, r0..r3, t0..t3
  const [x0, xStep, out, rowBytes, quads, groups, g, xi, o, r0, r1, r2, r3, t0, t1, t2, t3] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  ]
  const interleaveLow = simd(0x0d, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23) // a0 b0 a1 b1
  const interleaveHigh = simd(0x0d, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31) // a2 b2 a3 b3
  const lowHalves = simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) // a0 a1 b0 b1
  const highHalves = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31) // a2 a3 b2 b3
  const pixelAt = (k: number) => [...get(xi), ...(k ? [...get(xStep), ...i32(k), ...mul, ...add] : []), ...load()]
  const rowAt = (k: number) => [...get(o), ...(k ? [...get(rowBytes), ...i32(k), ...mul, ...add] : [])]
  return {
    name: 'gatherQuads',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128],
    body: countdown(quads, [
      ...get(groups),
      ...set(g),
      ...get(x0),
      ...set(xi),
      ...get(out),
      ...set(o),
      ...countdown(g, [
        ...pixelAt(0),
        ...set(r0),
        ...pixelAt(1),
        ...set(r1),
        ...pixelAt(2),
        ...set(r2),
        ...pixelAt(3),
        ...set(r3),
        ...[...get(r0), ...get(r1), ...interleaveLow, ...set(t0)],
        ...[...get(r2), ...get(r3), ...interleaveLow, ...set(t1)],
        ...[...get(r0), ...get(r1), ...interleaveHigh, ...set(t2)],
        ...[...get(r2), ...get(r3), ...interleaveHigh, ...set(t3)],
        ...[...rowAt(0), ...get(t0), ...get(t1), ...lowHalves, ...store()],
        ...[...rowAt(1), ...get(t0), ...get(t1), ...highHalves, ...store()],
        ...[...rowAt(2), ...get(t2), ...get(t3), ...lowHalves, ...store()],
        ...[...rowAt(3), ...get(t2), ...get(t3), ...highHalves, ...store()],
        ...advance(xi, 16),
        ...[...get(o), ...get(rowBytes), ...i32(4), ...mul, ...add, ...set(o)],
      ]),
      ...[...get(x0), ...get(xStep), ...i32(4), ...mul, ...add, ...set(x0)],
      ...advance(out, 16),
    ]),
  }
})()

const wasmBytes = assemble([mask('maskStrict', f32x4.gt), mask('maskInclusive', f32x4.ge), affine, affine2, sums, depthwiseTap, gatherQuads])

// --- Instances, one per backend heap. ------------------------------------------------------------------------------

interface Exports {
  maskStrict(dy: number, x: number, dx: number, groups: number, lo: number, hi: number): void
  maskInclusive(dy: number, x: number, dx: number, groups: number, lo: number, hi: number): void
  affine(u: number, out: number, coef: number, pixels: number, groups: number): void
  affine2(u: number, v: number, out: number, coef: number, pixels: number, groups: number): void
  sums(a: number, b: number, acc: number, pixels: number, groups: number): void
  depthwiseTap(x0: number, d0: number, count: number, xStep: number, dStep: number, acc: number, groups: number): void
  gatherQuads(x0: number, xStep: number, out: number, rowBytes: number, quads: number, groups: number): void
}

/** Off switch for tests and benchmarks comparing with the JavaScript loops. */
export const simdOptions = { enabled: true }

/** The WebAssembly API as used here (the main process's TypeScript config has no DOM typings, which declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: abstract new (...args: never[]) => object
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

const module = WA?.validate(wasmBytes) ? new WA.Module(wasmBytes) : null
const instances = new WeakMap<object, Exports>()

interface WasmInternals {
  wasm: { asm?: { memory?: unknown } }
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined }
}

/** The SIMD functions over this backend's heap, or null (no SIMD, switched off, or a backend we cannot see into). */
export function simdFor(backend: BackendWasm): Exports | null {
  if (!WA || !module || !simdOptions.enabled) return null
  const memory = (backend as unknown as WasmInternals).wasm.asm?.memory
  if (!(memory instanceof WA.Memory)) return null
  let exports = instances.get(memory)
  if (!exports) {
    exports = new WA.Instance(module, { env: { memory } }).exports as unknown as Exports
    instances.set(memory, exports)
  }
  return exports
}

/** A tensor's byte offset on the heap. */
export function address(backend: BackendWasm, t: TensorInfo): number {
  const entry = (backend as unknown as WasmInternals).dataIdMap.get(t.dataId)
  if (!entry) throw new Error('tensor is not on this wasm backend')
  return entry.memoryOffset
}
