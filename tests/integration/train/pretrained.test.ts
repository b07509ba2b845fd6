// A run that starts from a pretrained backbone, through the studio API on real photos: it trains with the pretrained
// weights and records where its initial weights came from; a preset the weights do not fit is refused before a run
// starts (the layer-by-layer shape check is tests/unit/detector/pretrained.test.ts's). `kindling train --init` takes the same choice, and refuses a name it does not know.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/engine/index.js'
import { PI_PRESET } from '../../../src/shared/api.js'
import { Studio } from '../../../src/main/studio.js'
import { parseTrainArgs } from '../../../src/main/server/commands/train.js'
import { UsageError } from '../../../src/main/server/usage.js'
import { finished, labelledProject, request } from './helpers.js'

process.env.KINDLING_BACKEND = 'wasm'
process.env.KINDLING_TRAIN_WORKERS = '1'
const studio = new Studio()
beforeAll(async () => {
  await initEngine({ backend: 'wasm' })
  await labelledProject(studio)
}, 60_000)
afterAll(() => studio.close())

describe('a run from pretrained weights', () => {
  it('trains from face-api’s backbone and records its init', async () => {
    const { jobId, runId } = await request(studio, 'train.start', {
      preset: 'mobilenet-v1-ssd-300',
      epochs: 1,
      batchSize: 4,
      seed: 5,
      init: 'face-api-ssd-mobilenetv1',
    })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'done' })
    const { run, steps } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ state: 'done', error: null, settings: { init: 'face-api-ssd-mobilenetv1' } })
    expect(steps.length).toBeGreaterThan(0)
    for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true)
  }, 180_000)

  it('a run of the Pi preset that names no init starts from the face backbone, and says so', async () => {
    const { jobId, runId } = await request(studio, 'train.start', { preset: PI_PRESET, epochs: 1, batchSize: 2, seed: 5 })
    expect(await finished(studio, jobId)).toMatchObject({ state: 'done' })
    const { run } = await request(studio, 'runs.get', { runId })
    expect(run).toMatchObject({ state: 'done', settings: { init: 'face-api-ssd-mobilenetv1' } })
  }, 180_000)

  it('refuses to start a run whose preset the weights do not fit, naming the presets they fit', async () => {
    const before = (await request(studio, 'runs.list', {})).length
    await expect(
      request(studio, 'train.start', { preset: 'mobilenet-ssd-320x240', epochs: 1, init: 'face-api-ssd-mobilenetv1' }),
    ).rejects.toThrow(
      /invalid: face-api-ssd-mobilenetv1 fits mobilenet-v1 at width 1 .*mobilenet-ssd-320x240's backbone is mobilenet-v1 at width 0.5 \(presets it fits: mobilenet-v1-ssd-300, mobilenet-v1-ssd-320x240\)/,
    )
    expect((await request(studio, 'runs.list', {})).length).toBe(before)
  })

  it('kindling train --init takes a source name, and refuses one it does not know', () => {
    const args = ['--project', 'p', '--preset', 'mobilenet-v1-ssd-300']
    expect(parseTrainArgs([...args, '--init', 'face-api-ssd-mobilenetv1']).settings.init).toBe('face-api-ssd-mobilenetv1')
    expect(parseTrainArgs(args).settings.init).toBeUndefined()
    // Without --preset it trains the Pi's preset (whose default start the studio fills in).
    expect(parseTrainArgs(['--project', 'p']).settings.preset).toBe(PI_PRESET)
    expect(() => parseTrainArgs([...args, '--init', 'imagenet'])).toThrow(UsageError)
    expect(() => parseTrainArgs([...args, '--init', 'imagenet'])).toThrow(/--init: .*random.*face-api-ssd-mobilenetv1/)
  })
})
