// A face detector that really detects faces, for tests and benchmarks that need one (int8 parity, int8 accuracy): a
// fresh project with GENKI-SZSL train and val photos and people's boxes (szsl-*.coco.json), imported through the studio,
// and a short run of a preset trained on them from the preset's default init, as the studio starts it. Returns the run's
// best checkpoint (by val AP50) with its config; the studio stays open (the caller closes it).
import fs from 'node:fs'
import path from 'node:path'
import { DetectorConfig } from '../../src/main/detector/index.js'
import { Studio } from '../../src/main/studio.js'
import { DETECTOR_JSON } from '../../src/main/train/index.js'
import { TrainSettings } from '../../src/shared/api.js'
import { genkiImages, szslTrainLabels, szslValLabels, tempDir } from './fixtures.js'

interface Coco {
  images: { id: number; file_name: string }[]
  annotations: { image_id: number }[]
}

export interface GenkiRunOptions {
  preset: string
  /** GENKI-SZSL train photos (the first in the label file's order). */
  trainPhotos: number
  /** GENKI-SZSL val photos (the first in the label file's order). */
  valPhotos: number
  /** Wall-clock training budget (or give `epochs`). */
  minutes?: number
  /** Epochs instead of a budget: the same run every time. */
  epochs?: number
  batchSize?: number
  seed?: number
  learningRate?: number
  /** Evaluate (and checkpoint) every N epochs; the run always evaluates after its last. */
  evalEvery?: number
  augment?: boolean
}

export interface GenkiRun {
  studio: Studio
  runId: number
  checkpoint: string
  config: DetectorConfig
  bestAp50: number | null
  steps: number
}

async function finished(job: { finished: Promise<{ state: string; message?: string }> }, what: string) {
  const end = await job.finished
  if (end.state !== 'done') throw new Error(`${what} ended ${end.state}${end.message ? `: ${end.message}` : ''}`)
}

export async function trainOnGenki(options: GenkiRunOptions): Promise<GenkiRun> {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Coco
  const dir = tempDir('kindling-genki-run-')
  // Label files of just the photos taken, beside the project (never beside the photos).
  const trimmed = (coco: Coco, count: number, name: string) => {
    const images = coco.images.slice(0, count)
    const ids = new Set(images.map((i) => i.id))
    const file = path.join(dir, name)
    fs.writeFileSync(file, JSON.stringify({ ...coco, images, annotations: coco.annotations.filter((a) => ids.has(a.image_id)) }))
    return { file, names: images.map((i) => i.file_name) }
  }
  const train = trimmed(read(szslTrainLabels), options.trainPhotos, 'train.json')
  const val = trimmed(read(szslValLabels), options.valPhotos, 'val.json')
  const wanted = new Set([...train.names, ...val.names])
  const studio = new Studio()
  await studio.openProject(path.join(dir, 'project'), { create: true })
  await finished(studio.importFolder(genkiImages, { accept: (name) => wanted.has(name) }), 'import')
  const labelled = studio.importLabels({ labelsFile: [train.file, val.file], imagesDir: genkiImages, images: 'existing' })
  await finished(labelled.job, 'importing people’s labels')
  await labelled.result
  const training = studio.train(
    TrainSettings.parse({
      preset: options.preset,
      ...(options.epochs ? { epochs: options.epochs } : { minutes: options.minutes }),
      batchSize: options.batchSize ?? 8,
      seed: options.seed ?? 1,
      ...(options.learningRate ? { learningRate: options.learningRate } : {}),
      ...(options.evalEvery ? { evalEvery: options.evalEvery } : {}),
      ...(options.augment === undefined ? {} : { augment: options.augment }),
    }),
  )
  await finished(training.job, 'training')
  const run = studio.project!.runs.record(training.runId)!
  const checkpoint = run.bestCheckpoint ?? run.lastCheckpoint
  if (!checkpoint) throw new Error(`run ${run.id} left no checkpoint`)
  const config = DetectorConfig.parse((JSON.parse(fs.readFileSync(path.join(checkpoint, DETECTOR_JSON), 'utf8')) as { config: unknown }).config)
  return { studio, runId: run.id, checkpoint, config, bestAp50: run.bestAp50, steps: run.step }
}
