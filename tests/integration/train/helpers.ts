// A small labelled project for the training tests: dlib-faces' photos (read in place, never copied) with the human
// boxes from its imglab files, imported through the studio as a user would.
import path from 'node:path'
import type { EventName, EventPayload, JobProgress, Method, Params, Result, StudioEvent } from '../../../src/shared/api.js'
import { dispatch } from '../../../src/main/dispatcher.js'
import type { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

/** A fast preset to train on wasm, with no pretrained start to load (src/main/train/presets.ts). */
export const FAST_PRESET = 'alexnet-ssd-320x240'

export async function labelledProject(studio: Studio): Promise<string> {
  const dir = tempDir()
  await studio.openProject(dir, { create: true })
  const { result } = studio.importLabels({
    labelsFile: [path.join(dlibFaces, 'training.xml'), path.join(dlibFaces, 'testing.xml')],
    imagesDir: dlibFaces,
    format: 'dlib',
  })
  await result
  return dir
}

/** labelledProject with one tiny run trained on it (the fast preset, one epoch, no augmentation): a run with a checkpoint. */
export async function trainedProject(studio: Studio): Promise<{ project: string; runId: number }> {
  const project = await labelledProject(studio)
  // The label import's result settles just before its job ends.
  while ((await request(studio, 'studio.info', {})).jobs.some((j) => j.state === 'running')) await new Promise((r) => setTimeout(r, 20))
  const started = await request(studio, 'train.start', { preset: FAST_PRESET, epochs: 1, batchSize: 4, seed: 7, augment: false })
  const end = await finished(studio, started.jobId)
  if (end.state !== 'done') throw new Error(`the tiny run ended ${end.state}: ${end.message ?? ''}`)
  return { project, runId: started.runId }
}

/** A request through the dispatcher (the API's validation included); throws the API error's message. */
export async function request<M extends Method>(studio: Studio, method: M, params: Params<M>): Promise<Result<M>> {
  const response = await dispatch(studio, { id: 1, method, params })
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`)
  return response.result as Result<M>
}

/** Every event the studio sends from now on, and a way to wait for a job's end. */
export function record(studio: Studio) {
  const events: StudioEvent[] = []
  const listener = (e: StudioEvent) => events.push(e)
  studio.on('event', listener)
  return {
    events,
    of: <E extends EventName>(name: E): EventPayload<E>[] => events.filter((e) => e.event === name).map((e) => e.payload as EventPayload<E>),
    stop: () => studio.off('event', listener),
  }
}

export function finished(studio: Studio, jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const listener = (event: StudioEvent) => {
      if (event.event === 'job.progress' && event.payload.jobId === jobId && event.payload.state !== 'running') {
        studio.off('event', listener)
        resolve(event.payload)
      }
    }
    studio.on('event', listener)
  })
}
