import { describe, expect, it } from 'vitest'
import { BoxSource } from '../../../src/shared/api'
import { LABEL_FONT_PX, labelChip, SOURCE_STYLES, sourceStyle } from '../../../src/renderer/src/pages/Review/boxStyle'

/** WCAG relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

describe('box colours by source', () => {
  it('gives every source in the API its own colour and its own dash pattern, in the legend', () => {
    expect(SOURCE_STYLES.map((s) => s.source).sort()).toEqual([...BoxSource.options].sort())
    expect(new Set(SOURCE_STYLES.map((s) => s.colour.toLowerCase())).size).toBe(SOURCE_STYLES.length)
    expect(new Set(SOURCE_STYLES.map((s) => s.dash)).size).toBe(SOURCE_STYLES.length)
    expect(sourceStyle('predicted').colour).not.toBe(sourceStyle('kindled').colour)
  })

  it('uses Okabe–Ito colours, with label text readable on its chip (WCAG AA)', () => {
    const okabeIto = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7']
    for (const s of SOURCE_STYLES) {
      expect(okabeIto).toContain(s.colour)
      expect(contrast(s.colour, s.text)).toBeGreaterThanOrEqual(4.5)
    }
  })
})

describe('where a label chip goes', () => {
  it('sits above the box when the photo has room, at a legible size whatever the zoom', () => {
    const chip = labelChip({ x: 100, y: 200, w: 80, h: 80 }, 'face · human', 2, 1000)
    expect(chip.outside).toBe(true)
    expect(chip.y + chip.h).toBe(200)
    expect(chip.x).toBe(100)
    expect(chip.fontSize).toBe(LABEL_FONT_PX * 2) // 13 screen pixels at half size
    expect(chip.textY).toBeGreaterThan(chip.y)
    expect(chip.textY).toBeLessThan(chip.y + chip.h)
  })

  it('goes inside the top of a box at the top of the photo, and never past its right edge', () => {
    const top = labelChip({ x: 10, y: 2, w: 80, h: 80 }, 'face · kindled 0.82', 1, 1000)
    expect(top.outside).toBe(false)
    expect(top.y).toBe(2)
    const right = labelChip({ x: 980, y: 100, w: 20, h: 20 }, 'face · predicted 0.91 · smiling', 1, 1000)
    expect(right.x + right.w).toBeCloseTo(1000)
    expect(right.x).toBeGreaterThanOrEqual(0)
  })
})
