// Small helpers shared by the benchmarks: medians of repeated timings, a plain-text table, flags, studio jobs, and
// GENKI-4K's smile labels.
import fs from 'node:fs'

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

/** `--name value` or `--name=value`. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return undefined
  const a = args[i]
  const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1]
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`)
  return value
}

/** Wait for a studio job and fail loudly if it did not finish. */
export async function finished(job: { finished: Promise<{ state: string; message?: string }> }, what: string): Promise<void> {
  const end = await job.finished
  if (end.state !== 'done') throw new Error(`${what} ended ${end.state}${end.message ? `: ${end.message}` : ''}`)
}

export interface SmileRow {
  file: string
  /** People's label: smiling. */
  smile: boolean
  split: string
}

/** GENKI-4K's smile labels (genki4k-smile.csv: file, smile 0/1, head pose, split). */
export function readSmileLabels(file: string): SmileRow[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n')
  const cols = header.split(',')
  const [fileCol, smileCol, splitCol] = ['file', 'smile', 'split'].map((c) => cols.indexOf(c))
  return lines.map((line) => {
    const cells = line.split(',')
    return { file: cells[fileCol], smile: cells[smileCol] === '1', split: cells[splitCol] }
  })
}
