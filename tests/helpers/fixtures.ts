// Shared test fixtures: the real photos in ../shared/datasets (read-only, never copied into the repo) and throw-away
// project folders under the system temp dir.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const repoRoot = path.resolve(import.meta.dirname, '../..')
export const datasets = path.resolve(process.env.KINDLING_DATASETS ?? path.join(repoRoot, '../shared/datasets'))
export const dlibFaces = path.join(datasets, 'dlib-faces')
export const genkiImages = path.join(datasets, 'genki', 'images')
/** GENKI-SZSL's people-drawn face boxes (COCO), one file per split; the photos are in genkiImages. */
export const szslTrainLabels = path.join(datasets, 'genki', 'szsl-train.coco.json')
export const szslValLabels = path.join(datasets, 'genki', 'szsl-val.coco.json')
export const szslTestLabels = path.join(datasets, 'genki', 'szsl-test.coco.json')

const made: string[] = []
process.once('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh temp folder, removed when the test process exits. */
export function tempDir(prefix = 'kindling-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** The dlib-faces photos copied to a temp folder (writable, unlike the shared original), plus two bad files. */
export function dlibFacesWithBadFiles(): { dir: string; truncated: string; text: string } {
  const dir = path.join(tempDir(), 'photos')
  fs.cpSync(dlibFaces, dir, { recursive: true })
  const truncated = path.join(dir, 'truncated.jpg')
  const whole = fs.readFileSync(path.join(dlibFaces, '2008_001009.jpg'))
  fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 3)))
  const text = path.join(dir, 'notes.jpg')
  fs.writeFileSync(text, 'Shot list for the robot-lab open day.\nAsk before photographing visitors.\n')
  return { dir, truncated, text }
}

export const dlibPhotoCount = () => fs.readdirSync(dlibFaces).filter((f) => f.endsWith('.jpg')).length
