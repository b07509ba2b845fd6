// What the preset list says about each preset: a short text per option (a native <select> shows one line) and a
// details line for the chosen one. Pure, for tests; the figures come from `train.presets` (src/main/train/preset-facts.ts).
import type { TrainPreset } from '../../../../shared/api'

/** 1,015,229,440 → "1.02 G", 287,102,464 → "287 M", 5,821,228 → "5.8 M". */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} k`
  return String(n)
}

/** How a step compares with the Pi preset's: "2.6× faster to train", "1.2× slower to train", "the Pi preset's pace". */
function relativeSpeed(relativeToPi: number): string {
  if (Math.abs(relativeToPi - 1) < 0.05) return 'trains at the Pi preset’s pace'
  return relativeToPi < 1
    ? `trains ${(1 / relativeToPi).toFixed(1)}× faster than the Pi preset`
    : `trains ${relativeToPi.toFixed(1)}× slower than the Pi preset`
}

/** One option's text: its name, whether it is the Pi default, and its multiply-adds a frame. */
export function presetOptionText(p: TrainPreset): string {
  const parts = [p.recommended ? 'Raspberry Pi default, recommended' : null, p.macs === null ? null : `${compact(p.macs)} mult-adds`]
  const said = parts.filter(Boolean).join(' · ')
  return said ? `${p.name} — ${said}` : p.name
}

/** The chosen preset in a line: input, size, cost a frame, and what the benches measured (or that they did not). */
export function presetDetails(p: TrainPreset): string {
  const cost = [
    p.input ? `${p.input} input` : null,
    p.params === null ? null : `${compact(p.params)} parameters`,
    p.macs === null ? null : `${compact(p.macs)} multiply-adds a frame`,
  ].filter(Boolean)
  const training = p.training
    ? `a training step at batch 8 takes ${p.training.stepSeconds.toFixed(2)} s on a 2-core PC (${relativeSpeed(p.training.relativeToPi)})`
    : 'training speed not measured yet'
  const latency = p.latency
    ? `${p.latency.fp32Ms.toFixed(1)} ms a frame on ONNX Runtime (${p.latency.int8Ms.toFixed(1)} ms int8) on that PC`
    : 'device latency not measured yet'
  return [...cost, training, latency].join(' · ')
}
