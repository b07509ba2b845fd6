// "Fine-tune with new classes…" from the Train page, end to end: a project of dlib-faces' photos with human face boxes,
// half of them smiling as `kindling kindle --smile` leaves them, and a one-epoch face detector trained by the CLI. A
// person opens that run, chooses "Fine-tune with new classes…", finds the form set to it (smiling-face made from
// smiling faces, the backbone frozen for an epoch), starts it, and sees the new run train to done with two classes and
// its lineage, "fine-tuned from faces (epoch 1)", in the run list and its detail. Waits on what the user sees.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { e2eFile, ROOT } from './harness.js'
import { dlibFaces } from '../helpers/fixtures.js'

const SCREENSHOT = path.join(ROOT, 'tests/e2e/screenshots/finetune.png')
const WAIT = { timeout: 90_000, interval: 100 }
const TRAINING = { timeout: 540_000, interval: 250 }

const e2e = e2eFile('finetune')
const tempDir = () => e2e.tempDir()

describe('Fine-tuning from the Train page', () => {
  test('a done run fine-tuned with smiling-face: the form prefilled, the new run done with its lineage', { timeout: 900_000 }, async () => {
    const home = tempDir()
    const project = path.join(tempDir(), 'project')
    const env = { ...process.env, KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' }
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['bin/kindling.js', ...args], { cwd: ROOT, env })
    await cli('import', dlibFaces, '--labels', path.join(dlibFaces, 'training.xml'), '--format', 'dlib', '--project', project)
    // As kindling's smile leaves them: every other face smiling.
    const db = new Database(path.join(project, 'studio.db'))
    db.prepare(
      `UPDATE boxes SET attributes = json_object('smiling', json_object('value', json(CASE WHEN id % 2 = 0 THEN 'true' ELSE 'false' END),
         'score', 0.9, 'source', 'kindled'))`,
    ).run()
    db.close()
    await cli(
      'train',
      '--project',
      project,
      '--preset',
      'alexnet-ssd-320x240',
      '--epochs',
      '1',
      '--batch-size',
      '4',
      '--no-augment',
      '--seed',
      '7',
      '--name',
      'faces',
    )

    const served = await e2e.serve(['--project', project], { KINDLING_HOME: home, KINDLING_BACKEND: 'wasm' })
    const page = await e2e.browser.newPage({ viewport: { width: 1400, height: 950 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${served.url}#train?run=1`)
    await page.getByTestId('run-detail').waitFor({ timeout: WAIT.timeout })
    await expect.poll(() => page.getByTestId('run-detail-state').textContent(), WAIT).toBe('done')
    expect(await page.getByTestId('run-lineage').count()).toBe(0)

    await page.getByTestId('run-finetune').click()
    await page.getByTestId('train-finetune').waitFor()
    expect(await page.getByTestId('train-finetune-parent').textContent()).toContain('From faces (alexnet-ssd-320x240')
    expect(await page.getByTestId('train-classes').inputValue()).toBe('smiling-face')
    expect(await page.getByTestId('train-from-smiling').isChecked()).toBe(true)
    expect(await page.getByTestId('train-freeze').inputValue()).toBe('all')
    // A fine-tune trains its parent's preset from its weights: no preset or initial weights to choose.
    expect(await page.getByTestId('train-preset').count()).toBe(0)
    expect(await page.getByTestId('train-init').count()).toBe(0)
    // A class the run already has is refused beside the field.
    await page.getByTestId('train-classes').fill('face')
    await page.getByTestId('train-start').click()
    await expect.poll(() => page.getByTestId('train-classes-error').textContent(), WAIT).toBe("face is already one of the run's classes")
    await page.getByTestId('train-classes').fill('smiling-face')
    await page.getByTestId('train-epochs').fill('1')
    await page.getByTestId('train-batchSize').fill('4')
    await page.getByTestId('train-augment').uncheck()
    expect(await page.getByTestId('train-start').textContent()).toBe('Start fine-tuning')
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })
    await page.getByTestId('train-start').click()

    await expect
      .poll(
        () =>
          page
            .getByTestId('run-lineage')
            .textContent()
            .catch(() => ''),
        WAIT,
      )
      .toBe('fine-tuned from faces (epoch 1)')
    expect(await page.getByTestId('run-lineage-2').textContent()).toBe('fine-tuned from faces (epoch 1)')
    // The form is a plain new-run form again.
    await expect.poll(() => page.getByTestId('train-finetune').count(), WAIT).toBe(0)
    await expect.poll(() => page.getByTestId('run-detail-state').textContent(), TRAINING).toBe('done')
    expect(await page.getByTestId('run-parent').textContent()).toBe('faces, epoch 1 · backbone frozen throughout')
    expect(await page.getByTestId('run-detail').textContent()).toContain('face, smiling-face')
    expect(await page.getByTestId('run-class-map').textContent()).toBe('smiling-face: face boxes whose smiling is true')
    expect(await page.getByTestId('run-2').textContent()).toContain('faces + smiling-face')
    expect(pageErrors).toEqual([])
  })
})
