// Anchors (SSD's default boxes): a fixed set of boxes tiled over each feature map, that the matcher assigns ground
// truth to and the head predicts offsets from. Computed from the config alone, without building the network. The
// order (map, row-major cell, type) is a contract with the head; anchors are not clipped to the image; coordinates are
// snapped to multiples of 2^-20 so the matcher's float32 sums are exact. See docs/detector.md#anchors.
import type { DetectorConfig, FeatureMap } from './config.js'

/** Anchor and box coordinates are multiples of this (normalised units). */
export const COORDINATE_QUANTUM = 2 ** -20

/** Round down to a multiple of COORDINATE_QUANTUM; exact in float32 and float64 for |x| < 8. */
export const snapCoordinate = (x: number): number => Math.floor(x / COORDINATE_QUANTUM) * COORDINATE_QUANTUM

/** Anchors on each cell of a map: one per aspect ratio, plus SSD's extra square anchor when `extraScale` is on. */
export function anchorsPerCell(map: Pick<FeatureMap, 'aspectRatios' | 'extraScale'>): number {
  return map.aspectRatios.length + (map.extraScale ? 1 : 0)
}

/** One feature map's anchors: every anchor of type t on cell (r, c) is [cx_c − hw_t, cy_r − hh_t, cx_c + hw_t, cy_r + hh_t]. */
export interface AnchorMap {
  rows: number
  cols: number
  perCell: number
  /** Index of the map's first anchor. */
  offset: number
  /** Cell centres, normalised and snapped: (c + ½) / cols and (r + ½) / rows. */
  centresX: number[]
  centresY: number[]
  /** Per anchor type, half the width and half the height, normalised and snapped. */
  halfWidths: number[]
  halfHeights: number[]
}

/** The anchors of a detector: corner boxes in the contract order, and the grid they were tiled from. */
export interface AnchorSet {
  count: number
  /** [count · 4] normalised corners x1, y1, x2, y2. */
  boxes: Float32Array
  maps: AnchorMap[]
}

type AnchorConfig = Pick<DetectorConfig, 'input'> & {
  featureMaps: readonly Pick<FeatureMap, 'size' | 'scale' | 'aspectRatios' | 'extraScale'>[]
}

/** The anchors for a config (its `input` and `featureMaps`). */
export function anchorsFor(config: AnchorConfig): AnchorSet {
  const { width, height } = config.input
  const shorter = Math.min(width, height)
  const maps: AnchorMap[] = []
  let offset = 0
  config.featureMaps.forEach((fm, i) => {
    const [rows, cols] = fm.size
    // [width px, height px] of each anchor type on this map.
    const sizes = fm.aspectRatios.map((ar) => [fm.scale * shorter * Math.sqrt(ar), (fm.scale * shorter) / Math.sqrt(ar)])
    if (fm.extraScale) {
      const next = config.featureMaps[i + 1]?.scale ?? 1
      const s = Math.sqrt(fm.scale * next) * shorter
      sizes.push([s, s])
    }
    maps.push({
      rows,
      cols,
      perCell: sizes.length,
      offset,
      centresX: Array.from({ length: cols }, (_, c) => snapCoordinate((c + 0.5) / cols)),
      centresY: Array.from({ length: rows }, (_, r) => snapCoordinate((r + 0.5) / rows)),
      halfWidths: sizes.map(([w]) => snapCoordinate(w / width / 2)),
      halfHeights: sizes.map(([, h]) => snapCoordinate(h / height / 2)),
    })
    offset += rows * cols * sizes.length
  })
  const boxes = new Float32Array(offset * 4)
  for (const m of maps) {
    let i = m.offset * 4
    for (const cy of m.centresY)
      for (const cx of m.centresX)
        for (let t = 0; t < m.perCell; t++) {
          boxes[i++] = cx - m.halfWidths[t]
          boxes[i++] = cy - m.halfHeights[t]
          boxes[i++] = cx + m.halfWidths[t]
          boxes[i++] = cy + m.halfHeights[t]
        }
  }
  return { count: offset, boxes, maps }
}

/**
 * The classic SSD300 layout (Liu et al. 2016, VGG-16 at 300×300): maps of 38, 19, 10, 5, 3 and 1 cells a side with
 * 4, 6, 6, 6, 4, 4 anchors per cell — 8,732 anchors. Scales are the reference Caffe model's min sizes (30, 60, 111,
 * 162, 213, 264 px of 300). For benchmarks and tests; the studio's own presets are tuned for faces (presets.ts).
 */
export const SSD300_ANCHOR_MAPS: FeatureMap[] = [
  { size: [38, 38], scale: 0.1, aspectRatios: [1, 2, 1 / 2], extraScale: true },
  { size: [19, 19], scale: 0.2, aspectRatios: [1, 2, 1 / 2, 3, 1 / 3], extraScale: true },
  { size: [10, 10], scale: 0.37, aspectRatios: [1, 2, 1 / 2, 3, 1 / 3], extraScale: true },
  { size: [5, 5], scale: 0.54, aspectRatios: [1, 2, 1 / 2, 3, 1 / 3], extraScale: true },
  { size: [3, 3], scale: 0.71, aspectRatios: [1, 2, 1 / 2], extraScale: true },
  { size: [1, 1], scale: 0.88, aspectRatios: [1, 2, 1 / 2], extraScale: true },
]

/** SSD300's 8,732 anchors on a 300×300 input. */
export const ssd300Anchors = (): AnchorSet => anchorsFor({ input: { width: 300, height: 300 }, featureMaps: SSD300_ANCHOR_MAPS })
