// What a "Compare …" on the Devices page found: the two deployments side by side, named by what differs between them
// (weights, runtime or precision), and one sentence a user can repeat — "int8 is 1.6× faster: 8.0 ms vs 12.9 ms p50,
// −38 %". Pure, so the page, the history and the tests agree on it.
import type { Deployment } from '../../../../shared/api'

export type ComparisonKind = 'weights' | 'runtimes' | 'precisions' | 'models'

export interface ComparisonSide {
  deployment: Deployment
  /** What this side is, in the comparison's terms: "trained weights", "ONNX Runtime", "int8". */
  label: string
  p50Ms: number | null
  p90Ms: number | null
}

export interface Comparison {
  kind: ComparisonKind
  first: ComparisonSide
  second: ComparisonSide
  /** second − first at p50 (null when a side has no samples). */
  differenceMs: number | null
  /** The same, as a share of the first's p50 (−0.38 is 38 % less time). */
  differencePercent: number | null
  /** The faster side, or null when the two are within SAME_SPEED of each other (or a side has no numbers). */
  faster: 'first' | 'second' | null
  /** The slower p50 over the faster one (1.6 for "1.6× faster"). */
  speedup: number | null
  /** The one sentence: who is faster, by how much. */
  verdict: string
  /** Why the difference may not hold (too few inferences timed), or null. */
  caveat: string | null
}

/** Below this many timed inferences on a side, a p50 moves with warm-up and noise more than many differences. */
export const FIRM_SAMPLES = 20

/** Two p50s closer than this share of the slower one are the same speed: runs of a few samples vary more than that. */
export const SAME_SPEED = 0.03

/** What a deployment ran, as the comparison names it: only the thing that differs between the two matters. */
function kindOf(a: Deployment, b: Deployment): ComparisonKind {
  if (a.randomWeights !== b.randomWeights) return 'weights'
  const runtime = (d: Deployment) => d.runtime ?? d.requested.runtime
  const precision = (d: Deployment) => d.precision ?? d.requested.precision
  if (runtime(a) !== runtime(b)) return 'runtimes'
  if (precision(a) !== precision(b)) return 'precisions'
  return 'models'
}

function sideLabel(kind: ComparisonKind, d: Deployment): string {
  switch (kind) {
    case 'weights':
      return d.randomWeights ? 'random weights' : d.run ? 'trained weights' : "the preset's weights"
    case 'runtimes': {
      const runtime = d.runtime ?? d.requested.runtime
      return runtime === 'onnx' ? 'ONNX Runtime' : runtime === 'tfjs' ? 'TF.js wasm' : 'auto'
    }
    case 'precisions':
      return d.precision ?? d.requested.precision
    case 'models':
      return deploymentModelLabel(d)
  }
}

/** A deployment's model as history shows it: a run by its name and epoch, else the preset or folder it was given. */
export function deploymentModelLabel(d: Deployment): string {
  if (!d.run) return d.model
  return d.run.epoch === null ? d.run.name : `${d.run.name} (epoch ${d.run.epoch})`
}

const ms = (v: number) => `${v.toFixed(1)} ms`
// The typographic minus: "−38 %" reads as a number, a hyphen does not.
const signed = (v: number, digits = 0) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(digits)}`

export function compareDeployments(first: Deployment, second: Deployment): Comparison {
  const kind = kindOf(first, second)
  const side = (d: Deployment): ComparisonSide => ({
    deployment: d,
    label: sideLabel(kind, d),
    p50Ms: d.summary?.p50Ms ?? null,
    p90Ms: d.summary?.p90Ms ?? null,
  })
  const a = side(first)
  const b = side(second)
  const fewest = Math.min(first.samples, second.samples)
  const caveat =
    fewest > 0 && fewest < FIRM_SAMPLES
      ? `Only ${first.samples} and ${second.samples} inferences timed: noise can outweigh the difference; ` +
        `compare with ${FIRM_SAMPLES * 2} or more for a firm number.`
      : null
  if (a.p50Ms === null || b.p50Ms === null || a.p50Ms <= 0 || b.p50Ms <= 0) {
    const missing = [a, b].filter((s) => s.p50Ms === null).map((s) => s.label)
    return {
      kind,
      first: a,
      second: b,
      differenceMs: null,
      differencePercent: null,
      faster: null,
      speedup: null,
      verdict: `No difference to show: ${missing.join(' and ') || 'a side'} has no samples (${[first, second].map((d) => d.state).join(', ')}).`,
      caveat: null,
    }
  }
  const differenceMs = b.p50Ms - a.p50Ms
  const differencePercent = differenceMs / a.p50Ms
  const [fast, slow] = a.p50Ms <= b.p50Ms ? [a, b] : [b, a]
  const speedup = slow.p50Ms! / fast.p50Ms!
  const same = (slow.p50Ms! - fast.p50Ms!) / slow.p50Ms! < SAME_SPEED
  // The faster side's time against the slower's: "−38 %" is 38 % less time per inference.
  const saved = ((fast.p50Ms! - slow.p50Ms!) / slow.p50Ms!) * 100
  const verdict = same
    ? `${a.label} and ${b.label} run at the same speed: ${ms(a.p50Ms)} vs ${ms(b.p50Ms)} p50`
    : `${fast.label} is ${speedup.toFixed(1)}× faster: ${ms(fast.p50Ms!)} vs ${ms(slow.p50Ms!)} p50, ${signed(saved)} %`
  return {
    kind,
    first: a,
    second: b,
    differenceMs,
    differencePercent,
    faster: same ? null : fast === a ? 'first' : 'second',
    speedup,
    verdict: verdict.charAt(0).toUpperCase() + verdict.slice(1),
    caveat,
  }
}

/** "+4.9 ms (+38 %)": the second side against the first. */
export function formatDifference(c: Comparison): string {
  if (c.differenceMs === null || c.differencePercent === null) return '–'
  return `${signed(c.differenceMs, 1)} ms (${signed(c.differencePercent * 100)} %)`
}

/**
 * History rows newest first, each deployment once: a comparison's two deployments together (the second, newer one
 * first, as history runs) with what they found; every other deployment on its own.
 */
export function groupHistory(history: Deployment[]): Array<{ comparison: Comparison | null; rows: Deployment[] }> {
  const byId = new Map(history.map((d) => [d.id, d]))
  const groups: Array<{ comparison: Comparison | null; rows: Deployment[] }> = []
  const done = new Set<number>()
  for (const d of history) {
    if (done.has(d.id)) continue
    const partner = d.comparedWith === null ? undefined : byId.get(d.comparedWith)
    if (partner && !done.has(partner.id)) {
      done.add(d.id).add(partner.id)
      const finished = d.state !== 'running' && partner.state !== 'running'
      groups.push({ comparison: finished ? compareDeployments(partner, d) : null, rows: [d, partner] })
    } else {
      done.add(d.id)
      groups.push({ comparison: null, rows: [d] })
    }
  }
  return groups
}
