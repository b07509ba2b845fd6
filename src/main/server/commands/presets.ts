// `kindling presets`: the named detector configs, each built once to report what it costs — feature maps, anchors,
// parameters and multiply-adds per image, split into backbone, extras and head — so a user can pick one for their Pi.
import { buildDetector, detectorPart, formatCount, preset, presetNames, summarize, totalsByPart } from '../../detector/index.js'
import { initEngine } from '../../engine/index.js'
import { parseOptions } from '../usage.js'

export const PRESETS_USAGE = `  kindling presets [--json]                     the detector presets: input, feature maps, anchors, params, multiply-adds`

export async function presetsCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { json: { type: 'boolean' } })
  await initEngine()
  const rows = presetNames.map((name) => {
    const config = preset(name)
    const detector = buildDetector(config)
    try {
      const summary = summarize(detector.model)
      const parts = totalsByPart(summary, detectorPart)
      return {
        name,
        input: `${config.input.width}×${config.input.height}`,
        backbone: config.backbone.name + ('alpha' in config.backbone ? ` α=${config.backbone.alpha}` : ''),
        maps: config.featureMaps.map((m) => (m.size[0] === m.size[1] ? `${m.size[0]}` : `${m.size[1]}×${m.size[0]}`)).join(' '),
        anchors: detector.anchorCount,
        params: summary.params,
        macs: summary.macs,
        backboneMacs: parts.backbone.macs,
      }
    } finally {
      detector.model.dispose()
    }
  })
  if (values.json) {
    console.log(JSON.stringify(rows))
    return 0
  }
  const header = ['preset', 'input', 'backbone', 'feature maps', 'anchors', 'params', 'mult-adds', 'of which backbone']
  const cells = rows.map((r) => [
    r.name,
    r.input,
    r.backbone,
    r.maps,
    String(r.anchors),
    formatCount(r.params),
    formatCount(r.macs),
    formatCount(r.backboneMacs),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  for (const line of [header, ...cells])
    console.log(
      line
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
  return 0
}
