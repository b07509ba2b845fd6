// How a box shows where it came from and what it is, on any photo: each source its own colour from the Okabe–Ito
// palette (told apart with every common colour-vision deficiency), with its dash pattern as a second cue, and the label
// as dark text on a chip of that colour — readable on a bright sky or a dark room alike — placed above the box when
// there is room in the photo, else inside its top edge.
import type { BoxSource } from '../../../../shared/api'
import type { Rect } from './geometry'

export interface SourceStyle {
  source: BoxSource
  /** The box's line and its label chip. */
  colour: string
  /** The label's text on the chip (contrast at least 4.5:1 against `colour`, WCAG AA). */
  text: string
  /** The line's dash pattern in screen pixels ('' solid), the cue that does not depend on colour. */
  dash: string
  /** What the legend calls it, and what that means. */
  name: string
  meaning: string
}

/** In the legend's order: a person's boxes first, then the teacher's, then a trained model's. */
export const SOURCE_STYLES: readonly SourceStyle[] = [
  { source: 'human', colour: '#56B4E9', text: '#0b0f14', dash: '', name: 'human', meaning: 'drawn, imported or accepted by a person' },
  { source: 'kindled', colour: '#E69F00', text: '#0b0f14', dash: '6 3', name: 'kindled', meaning: 'found by the teacher, not yet checked' },
  { source: 'predicted', colour: '#CC79A7', text: '#0b0f14', dash: '2 3', name: 'predicted', meaning: "a trained run's prediction" },
]

export function sourceStyle(source: BoxSource): SourceStyle {
  return SOURCE_STYLES.find((s) => s.source === source) ?? SOURCE_STYLES[0]
}

/** Label size on screen, whatever the zoom: legible at a glance. */
export const LABEL_FONT_PX = 13
const PAD_X = 5
const PAD_Y = 3
/** An estimate of the label font's average advance, as a share of its size (no layout pass needed to place the chip). */
const CHAR_WIDTH = 0.6

export interface LabelChip {
  /** The chip, in image pixels. */
  x: number
  y: number
  w: number
  h: number
  /** The text's baseline start, in image pixels. */
  textX: number
  textY: number
  fontSize: number
  /** Whether the chip sits above the box (else inside its top edge, when the photo's top leaves no room). */
  outside: boolean
}

/**
 * Where a box's label chip goes, in image pixels, for a photo `imageWidth` wide shown at `unit` image pixels per
 * screen pixel: above the box's top-left corner when it fits inside the photo, else just inside the box's top; never
 * past the photo's right edge.
 */
export function labelChip(box: Rect, text: string, unit: number, imageWidth: number, swatch = 0): LabelChip {
  const fontSize = LABEL_FONT_PX * unit
  const h = fontSize + 2 * PAD_Y * unit
  const w = (text.length * CHAR_WIDTH * LABEL_FONT_PX + 2 * PAD_X + swatch) * unit
  const outside = box.y - h >= 0
  const y = outside ? box.y - h : box.y
  const x = Math.max(0, Math.min(box.x, imageWidth - w))
  return { x, y, w, h, textX: x + (PAD_X + swatch) * unit, textY: y + h - PAD_Y * unit - fontSize * 0.2, fontSize, outside }
}
