// `npm run bench -- teachers [--genki=681] [--teachers=a,b+c,…] [--min-score=0.5] [--tiles=off|auto|N[,…]]`: the quality of every teacher and
// of the ensembles, as kindling really runs them (the kindling job on worker threads, zoom-out on, default settings),
// against people's boxes:
// - dlib-faces: its 9 labelled photos (43 faces, every face boxed), imported with training.xml and testing.xml through
//   the studio's label import. Precision and recall at IoU 0.5 (greedy one-to-one matching, best score first).
// - GENKI-SZSL val: 681 photos, one face labelled in each (683 boxes), imported with szsl-val.coco.json. Recall at IoU
//   0.5, and photos where the teacher found no face at all. Other faces in a photo are not labelled, so precision is
//   counted as `kindling eval --unlabelled-unknown` does: a box that matches no label and overlaps none by 0.1 may be
//   an unlabelled face and is left out; one that overlaps a label but too little, or twice, is a false positive.
// - face-api's demo photos (6 group photos, 1920 px, unlabelled): faces found.
// `--tiles=off,auto` runs each teacher once per tiling setting (default: the job's default only).
// Ends with `RESULT {teacher: {dlib…, genki…}}`.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { JobContext } from '../../src/main/jobs/index.js'
import { importLabels } from '../../src/main/formats/index.js'
import {
  DEFAULT_TILES,
  iou,
  isTiles,
  kindleProject,
  resolveSettings,
  startKindling,
  type FaceBox,
  type Tiles,
} from '../../src/main/kindle/index.js'
import type { Store } from '../../src/main/store/index.js'
import { demoPhotosDir, Studio } from '../../src/main/studio.js'
import { datasets, dlibFaces, genkiImages, tempDir } from '../helpers/fixtures.js'
import { round, table } from './util.js'

const DEFAULT_TEACHERS = [
  'ssd-mobilenetv1',
  'tiny-face-detector',
  'blazeface',
  'blazeface-front',
  'ensemble(ssd-mobilenetv1+blazeface,union-nms)',
  'ensemble(ssd-mobilenetv1+blazeface,wbf)',
]

type Rect = { x: number; y: number; w: number; h: number; score: number | null }

/** Below this overlap with every label, an unmatched box may be an unlabelled face (GENKI labels one per photo). */
const UNKNOWN_IOU = 0.1

/**
 * Greedy one-to-one matching at IoU ≥ 0.5, best score first: how many of `human` were found, and of the boxes left
 * over, how many overlap some label by at least UNKNOWN_IOU (badly placed, or a second box on a face).
 */
function matched(human: Rect[], kindled: Rect[]): { tp: number; fpNearLabel: number } {
  const used = new Set<number>()
  let tp = 0
  let fpNearLabel = 0
  for (const d of [...kindled].sort((a, b) => (b.score ?? 0) - (a.score ?? 0))) {
    let best = 0.5
    let which = -1
    let most = 0
    human.forEach((g, i) => {
      const v = iou(g as FaceBox, d as FaceBox)
      most = Math.max(most, v)
      if (!used.has(i) && v >= best) [best, which] = [v, i]
    })
    if (which >= 0) {
      used.add(which)
      tp++
    } else if (most >= UNKNOWN_IOU) fpNearLabel++
  }
  return { tp, fpNearLabel }
}

interface Scores {
  humans: number
  kindled: number
  matched: number
  /** Unmatched boxes overlapping a label by ≥ UNKNOWN_IOU: false positives even where labels are sparse. */
  fpNearLabel: number
  noFace: number
  images: number
}

/** Compare each labelled image's kindled boxes (of `teacher`, scoring ≥ minScore) with its human boxes. */
function score(store: Store, imageIds: number[], teacher: string): Scores {
  const s: Scores = { humans: 0, kindled: 0, matched: 0, fpNearLabel: 0, noFace: 0, images: imageIds.length }
  for (const id of imageIds) {
    const boxes = store.boxes(id)
    const human = boxes.filter((b) => b.source === 'human')
    const kindled = boxes.filter((b) => b.source === 'kindled' && b.teacher === teacher)
    s.humans += human.length
    s.kindled += kindled.length
    const m = matched(human, kindled)
    s.matched += m.tp
    s.fpNearLabel += m.fpNearLabel
    if (kindled.length === 0) s.noFace++
  }
  return s
}

async function labelledProject(studio: Studio, photos: string, labelsFile: string | string[]): Promise<{ store: Store; ids: number[] }> {
  await studio.openProject(path.join(tempDir('kindling-teachers-'), 'project'), { create: true })
  const store = studio.project!
  await importLabels(store, { labelsFile, imagesDir: photos })
  const ids = store.db
    .prepare<[], { id: number }>("SELECT DISTINCT image_id AS id FROM boxes WHERE source = 'human' ORDER BY image_id")
    .all()
    .map((r) => r.id)
  return { store, ids }
}

export { matched as matchTeacherBoxes, score as scoreTeacher }

export default async function teachersBench(args: string[]) {
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  // Commas inside ensemble(…) belong to the ensemble: `--teachers=blazeface,ensemble(ssd-mobilenetv1+blazeface,wbf)`.
  const teachers = arg('teachers')?.split(/,(?![^()]*\))/) ?? DEFAULT_TEACHERS
  const genkiCount = Number(arg('genki') ?? 681)
  const minScore = Number(arg('min-score') ?? 0.5)
  const workers = Math.min(2, os.availableParallelism())
  const tilings = (arg('tiles')?.split(',') ?? [String(DEFAULT_TILES)]).map((t) => (/^\d+$/.test(t) ? Number(t) : t))
  if (!tilings.every(isTiles)) throw new Error(`--tiles: off, auto or N, not ${arg('tiles')}`)

  // GENKI-SZSL val: the photos stay in the shared folder; the project imports symbolic links to them.
  const valFile = path.join(datasets, 'genki', 'szsl-val.coco.json')
  const val = JSON.parse(fs.readFileSync(valFile, 'utf8')) as {
    images: { id: number; file_name: string }[]
    annotations: { image_id: number }[]
  }
  const keep = new Set(val.images.slice(0, genkiCount).map((i) => i.id))
  const subset = { ...val, images: val.images.filter((i) => keep.has(i.id)), annotations: val.annotations.filter((a) => keep.has(a.image_id)) }
  const genkiDir = path.join(tempDir('kindling-teachers-'), 'genki')
  fs.mkdirSync(genkiDir)
  for (const { file_name } of subset.images) fs.symlinkSync(path.join(genkiImages, file_name), path.join(genkiDir, file_name))
  const genkiLabels = path.join(tempDir('kindling-teachers-'), 'szsl-val.coco.json')
  fs.writeFileSync(genkiLabels, JSON.stringify(subset))

  const dlibStudio = new Studio()
  const dlib = await labelledProject(dlibStudio, dlibFaces, [path.join(dlibFaces, 'training.xml'), path.join(dlibFaces, 'testing.xml')])
  const genkiStudio = new Studio()
  const genki = await labelledProject(genkiStudio, genkiDir, genkiLabels)
  const demoStudio = new Studio()
  await demoStudio.openProject(path.join(tempDir('kindling-teachers-'), 'project'), { create: true })
  const demo = demoStudio.project!
  await demoStudio.importFolder(demoPhotosDir(), { accept: (name) => /^sample\d+\.jpg$/.test(name) }).finished
  const demoIds = demo.db
    .prepare<[], { id: number }>('SELECT id FROM images ORDER BY id')
    .all()
    .map((r) => r.id)

  const ctx: JobContext = {
    signal: new AbortController().signal,
    report: () => {},
    skip: (f) => console.error(`skipped ${f.path}: ${f.reason}`),
  }
  const rows: Record<string, string | number>[] = []
  const result: Record<string, object> = {}
  for (const teacher of teachers)
    for (const tiles of tilings as Tiles[]) {
      const settings = resolveSettings({ teacher, minScore, tiles })
      const service = await startKindling(settings, { workers })
      try {
        await kindleProject(dlib.store, ctx, { teacher, minScore, tiles, service, redo: true, imageIds: dlib.ids })
        const t = performance.now()
        await kindleProject(genki.store, ctx, { teacher, minScore, tiles, service, redo: true, imageIds: genki.ids })
        const perSec = genki.ids.length / ((performance.now() - t) / 1000)
        const td = performance.now()
        const demoRun = await kindleProject(demo, ctx, { teacher, minScore, tiles, service, redo: true, imageIds: demoIds })
        const demoPerSec = demoIds.length / ((performance.now() - td) / 1000)
        const d = score(dlib.store, dlib.ids, settings.teacher)
        const g = score(genki.store, genki.ids, settings.teacher)
        const entry = {
          tiles: String(tiles),
          dlibRecall: round(d.matched / d.humans, 3),
          dlibPrecision: round(d.kindled ? d.matched / d.kindled : 0, 3),
          dlibFound: `${d.matched}/${d.humans}`,
          dlibKindled: d.kindled,
          genkiRecall: round(g.matched / g.humans, 3),
          genkiPrecision: round(g.matched / (g.matched + g.fpNearLabel), 3),
          genkiNoFace: g.noFace,
          genkiKindled: g.kindled,
          genkiImages: g.images,
          imagesPerSec: round(perSec, 2),
          demoFaces: demoRun.faces,
          demoPerSec: round(demoPerSec, 2),
        }
        result[tilings.length > 1 ? `${settings.teacher} tiles=${tiles}` : settings.teacher] = entry
        rows.push({ teacher: settings.teacher, ...entry })
        console.error(`${settings.teacher}: ${JSON.stringify(entry)}`)
      } finally {
        await service.close()
      }
    }
  await dlibStudio.close()
  await genkiStudio.close()
  await demoStudio.close()
  console.log(`min score ${minScore}, IoU 0.5, zoom-out on (default), ${workers} worker threads`)
  console.log(table(rows))
  return result
}
