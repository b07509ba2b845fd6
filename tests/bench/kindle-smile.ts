// `npm run bench -- kindle-smile [--teacher=NAME] [--limit=N] [--splits=train,val]`: how often kindling's smile agrees
// with people's. Each GENKI-4K photo of the splits (genki4k-smile.csv: file, smile 0/1, head pose, split) is kindled as
// the studio kindles it (the teacher, default the default one, at its default settings), its most confident face scored
// by the face-expression net two ways side by side — the crop kindling uses (the teacher's `smileCrop` × the box's
// square, averaged with its mirror) and the box's own square, what kindling fed the net before — and each photo called
// smiling when its face is (SMILE_THRESHOLD; the box's square alone at 0.5, as before). Prints
// the agreement per split, the threshold that would fit train best (the one SMILE_THRESHOLD was chosen from; val and
// test never choose anything), photos with no face found, and ends with
// `RESULT {"photos","noFace","before":{split: agreement},"after":{…},"threshold","trainBestThreshold"}`.
import path from 'node:path'
import { initEngine } from '../../src/main/engine/index.js'
import { faceExpressionScorer, Kindler, resolveSettings, SMILE_THRESHOLD, teacherSmileCrop } from '../../src/main/kindle/index.js'
import { parseTeacherSpec } from '../../src/shared/teachers.js'
import { readPixels } from '../../src/main/kindle/teachers.js'
import { datasets, genkiImages } from '../helpers/fixtures.js'
import { readSmileLabels, round, table, type SmileRow } from './util.js'

export default async function kindleSmileBench(args: string[]) {
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  const splits = (arg('splits') ?? 'train,val').split(',')
  const limit = Number(arg('limit') ?? Infinity)
  const rows = readSmileLabels(path.join(datasets, 'genki', 'genki4k-smile.csv')).filter((r) => splits.includes(r.split))
  // GENKI-4K lists the smiling photos first: take every k-th so a limited run keeps both kinds and every split.
  const step = Math.max(1, Math.floor(rows.length / Math.min(rows.length, limit)))
  const photos = rows.filter((_, i) => i % step === 0).slice(0, limit)

  await initEngine()
  const settings = resolveSettings({ teacher: arg('teacher') })
  const crop = { scale: teacherSmileCrop(parseTeacherSpec(settings.teacher)), mirror: true }
  const kindler = await Kindler.create({ ...settings, smile: false })
  const scorers = { before: await faceExpressionScorer({ scale: 1, mirror: false }), after: await faceExpressionScorer(crop) }
  const scored: { row: SmileRow; before: number; after: number }[] = []
  let noFace = 0
  const started = Date.now()
  for (const row of photos) {
    const file = path.join(genkiImages, row.file)
    const faces = await kindler.kindle(file)
    if (faces.length === 0) {
      noFace++
      continue
    }
    // kindle() returns boxes in the photo's own pixels; GENKI photos are far below the size readPixels shrinks.
    const main = faces.reduce((a, b) => (b.score > a.score ? b : a))
    const pixels = await readPixels(file)
    const box = { ...main, x: main.x / pixels.scale, y: main.y / pixels.scale, w: main.w / pixels.scale, h: main.h / pixels.scale }
    const [before] = await scorers.before.happiness(pixels, [box])
    const [after] = await scorers.after.happiness(pixels, [box])
    scored.push({ row, before, after })
    if (scored.length % 500 === 0)
      console.error(`${scored.length} of ${photos.length} photos (${Math.round((Date.now() - started) / scored.length)} ms each)`)
  }

  // A photo with no face is called not smiling (kindling gives it no face to carry the attribute).
  const agreement = (split: string, pick: (s: (typeof scored)[number]) => number, threshold: number) => {
    const inSplit = photos.filter((r) => r.split === split)
    const right = scored.filter((s) => s.row.split === split && pick(s) >= threshold === s.row.smile).length
    const unscoredRight = inSplit.filter((r) => !r.smile && !scored.some((s) => s.row === r)).length
    return inSplit.length ? (right + unscoredRight) / inSplit.length : NaN
  }
  const candidates = Array.from({ length: 91 }, (_, i) => round(0.05 + i * 0.01))
  const trainBestThreshold = splits.includes('train')
    ? candidates.reduce((best, t) => (agreement('train', (s) => s.after, t) > agreement('train', (s) => s.after, best) ? t : best))
    : null

  const result = {
    photos: photos.length,
    noFace,
    before: Object.fromEntries(
      splits.map((s) => [
        s,
        round(
          agreement(s, (x) => x.before, 0.5),
          4,
        ),
      ]),
    ),
    after: Object.fromEntries(
      splits.map((s) => [
        s,
        round(
          agreement(s, (x) => x.after, SMILE_THRESHOLD),
          4,
        ),
      ]),
    ),
    threshold: SMILE_THRESHOLD,
    trainBestThreshold,
    teacher: settings.teacher,
    crop,
    seconds: Math.round((Date.now() - started) / 1000),
  }
  console.log(
    table([
      { crop: "the box's square, happy ≥ 0.5 (before)", ...fixed(result.before) },
      { crop: `${crop.scale}× + mirror, happy ≥ ${SMILE_THRESHOLD} (kindling)`, ...fixed(result.after) },
    ]),
  )
  console.log(`\n${photos.length} photos, ${noFace} with no face found; the threshold that fits train best: ${trainBestThreshold}`)
  return result
}

const fixed = (row: Record<string, number>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v.toFixed(3)]))
