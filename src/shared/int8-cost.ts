// What int8 costs, said the same way wherever an export's int8 report is shown (the Train page's export list, the
// Devices page, `kindling export-model --int8`): a detector's by AP50, a whole-image classifier's by accuracy.
import type { Int8Report } from './api.js'

const fixed = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3))
const signed = (d: number) => (d >= 0 ? '+' : '-') + Math.abs(d).toFixed(3)

/** The metric's values, fp32 then int8 (null when unscored). */
export function int8Scores(report: Int8Report): { metric: 'ap50' | 'accuracy'; fp32: number | null; int8: number | null } {
  return report.metric === 'accuracy'
    ? { metric: 'accuracy', fp32: report.fp32Accuracy ?? null, int8: report.int8Accuracy ?? null }
    : { metric: 'ap50', fp32: report.fp32Ap50, int8: report.int8Ap50 }
}

/**
 * One line: "int8 on 120 val photos: accuracy 0.912 → 0.905 (-0.007)" for a classifier; a detector's keeps its
 * "AP50 <int8> against fp32's <fp32>"; an unscored report (a deployment's own export) says it was not scored.
 */
export function int8CostText(report: Int8Report): string {
  const { metric, fp32, int8 } = int8Scores(report)
  if (report.valPhotos === 0 || fp32 === null || int8 === null) {
    return `int8 calibrated on ${report.calibrationPhotos} train photos, not scored on val`
  }
  const on = `int8 on ${report.valPhotos} val photos`
  if (metric === 'accuracy') return `${on}: accuracy ${fixed(fp32)} → ${fixed(int8)} (${signed(int8 - fp32)})`
  return `${on}: AP50 ${fixed(int8)} against fp32's ${fixed(fp32)} (${signed(int8 - fp32)})`
}
