// `kindling kindle --project DIR [--teacher NAME[+NAME…]] [--ensemble wbf|union-nms] [--min-score S] [--smile] [--no-zoom-out] [--tiles off|auto|N] [--redo] [--threads N]
// [--json]`: kindle a project's photos from the command line, as the studio's kindle job (the one the Library's "Kindle"
// starts). Progress on a terminal, a summary at the end; Ctrl-C cancels and keeps what is done. Exit 0 when the job ran
// (photos that could not be read are listed, not fatal), 1 when it could not, 2 for a bad command line (thrown as
// UsageError).
import path from 'node:path'
import type { JobProgress } from '../../../shared/api.js'
import { DEFAULT_ENSEMBLE, ENSEMBLE_METHODS, parseTeacherSpec, type EnsembleMethod } from '../../../shared/teachers.js'
import {
  DEFAULT_MIN_SCORE,
  DEFAULT_TEACHER,
  DEFAULT_TILES,
  isTiles,
  MAX_TILES,
  TEACHER_NAMES,
  type Tiles,
  zoomOutFactor,
} from '../../kindle/index.js'
import { parseOptions, UsageError } from '../usage.js'
import { runJobFromCli, withProject } from '../cli-studio.js'

export const KINDLE_USAGE =
  `  kindling kindle --project DIR [--teacher NAME[+NAME…]] [--ensemble wbf|union-nms] [--min-score S] [--smile] [--redo]\n` +
  `                  [--no-zoom-out] [--tiles off|auto|N] [--threads N] [--json]\n` +
  `                                                label unreviewed photos with a teacher detector (${TEACHER_NAMES.join(', ')};\n` +
  `                                                default ${DEFAULT_TEACHER}, min score ${DEFAULT_MIN_SCORE}), or an ensemble: a+b fused\n` +
  `                                                by --ensemble (default ${DEFAULT_ENSEMBLE}); --smile adds a smiling attribute;\n` +
  `                                                --tiles: also kindle an N×N grid of tiles (auto: 2×2 on big photos; default ${DEFAULT_TILES})`

export interface KindleArgs {
  project: string
  /** The teacher's stored name: single, or `ensemble(a+b,method)`. */
  teacher: string
  minScore: number
  smile: boolean
  redo: boolean
  zoomOut: boolean
  tiles: Tiles
  threads: number | undefined
  json: boolean
}

export function parseKindleArgs(args: string[]): KindleArgs {
  const { values } = parseOptions(args, {
    project: { type: 'string' },
    teacher: { type: 'string' },
    ensemble: { type: 'string' },
    'min-score': { type: 'string' },
    smile: { type: 'boolean' },
    redo: { type: 'boolean' },
    'no-zoom-out': { type: 'boolean' },
    tiles: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (!values.project) throw new UsageError('--project DIR is required')
  const ensemble = values.ensemble
  if (ensemble !== undefined && !(ENSEMBLE_METHODS as readonly string[]).includes(ensemble)) {
    throw new UsageError(`--ensemble must be one of ${ENSEMBLE_METHODS.join(', ')}, not "${ensemble}"`)
  }
  let teacher: string
  try {
    teacher = parseTeacherSpec(values.teacher ?? DEFAULT_TEACHER, ensemble as EnsembleMethod | undefined).name
  } catch (error) {
    throw new UsageError(`--teacher: ${(error as Error).message}`)
  }
  if (ensemble !== undefined && !teacher.startsWith('ensemble(')) {
    throw new UsageError(`--ensemble needs two or more teachers joined by +, e.g. --teacher ssd-mobilenetv1+blazeface`)
  }
  const minScore = values['min-score'] === undefined ? DEFAULT_MIN_SCORE : Number(values['min-score'])
  if (values['min-score']?.trim() === '' || !(minScore >= 0 && minScore <= 1)) {
    throw new UsageError(`--min-score must be a number from 0 to 1, not "${values['min-score']}"`)
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads)
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 256)) {
    throw new UsageError(`--threads must be a whole number from 0 (this thread) to 256, not "${values.threads}"`)
  }
  const tilesArg = values.tiles
  const tiles = tilesArg === undefined ? DEFAULT_TILES : /^\d+$/.test(tilesArg) ? Number(tilesArg) : tilesArg
  if (!isTiles(tiles)) throw new UsageError(`--tiles must be off, auto or a whole number from 2 to ${MAX_TILES}, not "${tilesArg}"`)
  return {
    project: path.resolve(values.project),
    teacher,
    minScore,
    smile: values.smile ?? false,
    redo: values.redo ?? false,
    zoomOut: !values['no-zoom-out'],
    tiles,
    threads,
    json: values.json ?? false,
  }
}

export async function kindleCommand(args: string[]): Promise<number> {
  const a = parseKindleArgs(args)
  return withProject(a.project, false, async (studio) => {
    const started = performance.now()
    const options = {
      teacher: a.teacher,
      minScore: a.minScore,
      smile: a.smile,
      redo: a.redo,
      zoomOut: zoomOutFactor(a.zoomOut),
      tiles: a.tiles,
      workers: a.threads,
    }
    const { final, result } = await runJobFromCli(studio, () => studio.kindle(options), {
      json: a.json,
      sigterm: true,
      progressLine: photosLine,
    })
    if (final.state === 'failed') throw new Error(final.message ?? 'kindling failed')
    const summary = await result
    const skipped = final.skipped
    const seconds = (performance.now() - started) / 1000
    if (a.json) console.log(JSON.stringify({ ...summary, skipped, seconds }))
    else {
      console.log(
        `${summary.cancelled ? 'Cancelled: kindled' : 'Kindled'} ${summary.kindled} photos with ${summary.teacher} ` +
          `(${summary.teacherVersion}) in ${seconds.toFixed(1)} s on ${summary.threads} threads: ${summary.faces} faces, ` +
          `${summary.noFace} photos with none`,
      )
      if (summary.alreadyKindled) console.log(`  ${summary.alreadyKindled} already kindled with these settings (--redo to kindle again)`)
      if (summary.reviewed) console.log(`  ${summary.reviewed} reviewed by a person, left as they are`)
      for (const s of skipped) console.log(`  skipped ${s.path}: ${s.reason}`)
    }
    return summary.cancelled ? 1 : 0
  })
}

/** The progress line of kindling: photos done, of how many, the rate and the time left. */
function photosLine(p: JobProgress): string {
  const eta = p.perSec && p.total ? `, ${Math.ceil((p.total - p.done) / p.perSec)} s left` : ''
  return `${p.done}/${p.total ?? '?'} photos${p.perSec ? `, ${p.perSec.toFixed(1)}/s` : ''}${eta}`
}
