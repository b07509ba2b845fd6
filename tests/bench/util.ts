// Small helpers shared by the benchmarks: medians of repeated timings and a plain-text table.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Run `fn` `times` times (after `warmup` runs) and return the median wall time in ms. */
export async function timeMedian(fn: () => unknown, times = 50, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  for (let i = 0; i < times; i++) {
    const t = performance.now()
    await fn()
    samples.push(performance.now() - t)
  }
  return median(samples)
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0])
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v)
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ')
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n')
}

export const round = (n: number, digits = 2) => Number(n.toFixed(digits))
