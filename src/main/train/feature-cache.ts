// A frozen feature extractor's maps, kept per photo view so a fine-tune's head can train on them for many passes
// without running the backbone again (the TF Object Detection API's "feature extractor" frozen, as in Keras's
// transfer-learning guide: compute the frozen part's output once, train the top on it). Each map is kept as bytes
// (0–255 over the map's own range in that view, SSD's int8 export shows the head does not notice) to fit a few
// thousand photos' maps in memory: a 320×240 MobileNet's six maps are 0.55 MB a view.
import os from 'node:os'

/** One view's maps: each its values (channels last) as bytes over its own [min, max], or as they are (exact). */
interface Entry {
  bytes: (Uint8Array | Float32Array)[]
  ranges: [number, number][]
}

/** The memory a run may give its cache: a quarter of this machine's, at most 4 GiB. */
export const defaultCacheBytes = () => Math.min(4 * 2 ** 30, Math.floor(os.totalmem() / 4))

export class FeatureCache {
  private readonly entries = new Map<string, Entry>()
  private used = 0
  /** Views asked for that were kept (hits) or not (misses): how well the cache serves a run. */
  hits = 0
  misses = 0

  constructor(
    /** Values per map of one view (rows · cols · channels). */
    private readonly mapSizes: readonly number[],
    private readonly budgetBytes = defaultCacheBytes(),
    /** Per map: kept as float32 rather than bytes (small outputs whose exact values matter, like box offsets). */
    private readonly exact: readonly boolean[] = [],
  ) {}

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.used
  }

  /** A view's maps as float32, or undefined when they were never kept. */
  get(key: string): Float32Array[] | undefined {
    const entry = this.entries.get(key)
    if (!entry) {
      this.misses++
      return undefined
    }
    this.hits++
    return decode(entry)
  }

  /**
   * Keep a view's maps and return them as kept (what a later `get` returns); null (nothing kept) once the budget is
   * spent: that view is computed again when needed.
   */
  put(key: string, maps: readonly Float32Array[]): Float32Array[] | null {
    const known = this.entries.get(key)
    if (known) return decode(known)
    if (maps.length !== this.mapSizes.length || maps.some((m, i) => m.length !== this.mapSizes[i])) {
      throw new Error(`a cached view has maps of ${maps.map((m) => m.length).join(', ')} values, expected ${this.mapSizes.join(', ')}`)
    }
    const need = this.mapSizes.reduce((a, b, i) => a + b * (this.exact[i] ? 4 : 1), 0)
    if (this.used + need > this.budgetBytes) return null
    const entry = encode(maps, this.exact)
    this.entries.set(key, entry)
    this.used += need
    return decode(entry)
  }

  clear(): void {
    this.entries.clear()
    this.used = 0
  }
}

function decode(entry: Entry): Float32Array[] {
  return entry.bytes.map((b, m) => {
    if (b instanceof Float32Array) return b.slice()
    const [lo, hi] = entry.ranges[m]
    const step = (hi - lo) / 255
    const out = new Float32Array(b.length)
    for (let i = 0; i < b.length; i++) out[i] = lo + b[i] * step
    return out
  })
}

/** Each map as bytes over its own [min, max], or copied where it is kept exact. */
function encode(maps: readonly Float32Array[], exact: readonly boolean[]): Entry {
  const ranges: [number, number][] = []
  const bytes = maps.map((values, m) => {
    if (exact[m]) {
      ranges.push([0, 0])
      return values.slice()
    }
    let lo = Infinity
    let hi = -Infinity
    for (const v of values) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    if (!(hi > lo)) hi = lo + 1
    ranges.push([lo, hi])
    const scale = 255 / (hi - lo)
    const out = new Uint8Array(values.length)
    for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] - lo) * scale)
    return out
  })
  return { bytes, ranges }
}
