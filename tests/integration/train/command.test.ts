// `kindling train` and `kindling runs` as a user runs them: a real process on a small labelled project.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { dlibFaces, repoRoot, tempDir } from '../../helpers/fixtures.js'
import { FAST_PRESET } from './helpers.js'

const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], {
      // One replica: the CLI covers the single-thread training path (train.test.ts trains over 2 replicas).
      env: { ...process.env, KINDLING_BACKEND: 'wasm', KINDLING_TRAIN_WORKERS: '1' },
    })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('kindling train', () => {
  it('trains a labelled project for one epoch and ends with a RESULT line; kindling runs lists the run', async () => {
    const project = path.join(tempDir(), 'project')
    const labels = ['training.xml', 'testing.xml'].flatMap((f) => ['--labels', path.join(dlibFaces, f)])
    expect((await run('import', dlibFaces, ...labels, '--format', 'dlib', '--project', project)).code).toBe(0)

    const trained = await run('train', '--project', project, '--preset', FAST_PRESET, '--epochs', '1', '--batch-size', '4', '--seed', '1')
    expect(trained.stderr).toBe('')
    expect(trained.code).toBe(0)
    // What it learns from by split, and that dlib's few photos are too few for a usable detector.
    expect(trained.stdout).toMatch(/^Labelled photos: \d train · \d val · \d test \(test is never trained on\)$/m)
    expect(trained.stdout).toMatch(/^warning: Only \d labelled photos to train on: a detector that finds nearly every face needs about \d+/m)
    expect(trained.stdout).toMatch(/^Run 1 \(.*\): alexnet-ssd-320x240, \d+ photos to train, \d+ to evaluate, \d+ steps$/m)
    // One epoch from random weights: the verdict says so before the RESULT line.
    expect(trained.stdout).toMatch(/^Weak: AP50 \d+%: it misses many faces/m)
    expect(trained.stdout).toMatch(/^epoch 1: AP50 \d\.\d{3}, AP \d\.\d{3}, recall \d\.\d{3} → /m)
    const line = trained.stdout.trim().split('\n').at(-1)!
    expect(line).toMatch(/^RESULT \{/)
    const result = JSON.parse(line.slice('RESULT '.length))
    expect(result).toMatchObject({
      runId: 1,
      state: 'done',
      backend: 'wasm',
      checkpoint: path.join(project, 'runs', '1', 'epoch-1'),
      quality: 'weak',
    })
    expect(result.steps).toBeGreaterThan(0)
    expect(typeof result.ap50).toBe('number')
    expect(typeof result.ap).toBe('number')
    expect(fs.existsSync(path.join(result.checkpoint, 'model.json'))).toBe(true)

    const runs = await run('runs', '--project', project, '--json')
    expect(runs.code).toBe(0)
    expect(JSON.parse(runs.stdout)).toMatchObject([{ id: 1, state: 'done', preset: FAST_PRESET, step: result.steps }])
  }, 90_000)

  it('--minutes trains to a time budget: plans its steps, shows the time left, ends within seconds of the budget', async () => {
    const project = path.join(tempDir(), 'project')
    const labels = ['training.xml', 'testing.xml'].flatMap((f) => ['--labels', path.join(dlibFaces, f)])
    expect((await run('import', dlibFaces, ...labels, '--format', 'dlib', '--project', project)).code).toBe(0)
    const started = Date.now()
    const trained = await run('train', '--project', project, '--preset', FAST_PRESET, '--minutes', '0.5', '--batch-size', '4', '--seed', '1')
    const took = Date.now() - started
    expect(trained.stderr).toBe('')
    expect(trained.code).toBe(0)
    // The process also starts Node and the engine before the run's clock starts.
    expect(took).toBeGreaterThan(30_000 - 5000)
    expect(took).toBeLessThan(30_000 + 8000)
    expect(trained.stdout).toMatch(/^Run 1 \(.*\): alexnet-ssd-320x240, \d+ photos to train, \d+ to evaluate, 0.5 minutes/m)
    expect(trained.stdout).toMatch(/^planned \d+ steps to end within 0.5 minutes$/m)
    expect(trained.stdout).toMatch(/^step \d+ \(epoch \d+\): .*, \d+ s left$/m)
    const result = JSON.parse(trained.stdout.trim().split('\n').at(-1)!.slice('RESULT '.length))
    expect(result).toMatchObject({ runId: 1, state: 'done' })
    expect(fs.existsSync(path.join(result.checkpoint, 'model.json'))).toBe(true)
  }, 90_000)

  it('refuses a project whose only labelled photo is in test, naming the split and the fix', async () => {
    const project = path.join(tempDir(), 'project')
    // sha1("2008_001009.jpg") mod 10 is 9: the test split. The labels file lives away from the photos.
    const labels = path.join(tempDir(), 'one-face.json')
    fs.writeFileSync(
      labels,
      JSON.stringify({
        images: [{ id: 1, file_name: '2008_001009.jpg', width: 360, height: 480 }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [100, 80, 120, 150], area: 18_000, iscrowd: 0 }],
        categories: [{ id: 1, name: 'face' }],
      }),
    )
    expect((await run('import', dlibFaces, '--labels', labels, '--format', 'coco', '--project', project)).code).toBe(0)
    const refused = await run('train', '--project', project, '--preset', FAST_PRESET)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/^Labelled photos: 0 train · 0 val · 1 test \(test is never trained on\)$/m)
    expect(refused.stdout).not.toContain('warning:')
    expect(refused.stderr).toContain(
      'kindling: cannot train: no labelled photos in the train split (1 labelled photo is in test, which is kept for ' +
        'final evaluation). Label photos in the train split: ',
    )
  }, 60_000)

  it('exits 1 naming the reason when the project cannot train, 2 for a bad command line', async () => {
    const project = path.join(tempDir(), 'project')
    expect((await run('import', dlibFaces, '--project', project)).code).toBe(0)
    const refused = await run('train', '--project', project, '--preset', FAST_PRESET)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      'kindling: cannot train: no labelled photos in the train split (the project has no labelled photos yet). Label photos in the train split: kindle them',
    )
    const bad = await run('train', '--project', project, '--preset', FAST_PRESET, '--labels', 'some')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--labels:')
    for (const [args, message] of [
      [['--minutes', 'soon'], 'kindling: --minutes must be a number, not "soon"'],
      [['--minutes', '0'], 'kindling: --minutes: '],
      [['--epochs', '2', '--minutes', '5'], 'kindling: --epochs and --minutes: give one, not both'],
    ]) {
      const refusedMinutes = await run('train', '--project', project, '--preset', FAST_PRESET, ...args)
      expect(refusedMinutes.code).toBe(2)
      expect(refusedMinutes.stderr).toContain(message)
    }
  }, 60_000)
})
