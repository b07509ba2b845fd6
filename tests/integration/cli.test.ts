import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { dlibFacesWithBadFiles, repoRoot, tempDir } from '../helpers/fixtures.js'

const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args])
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('kindling CLI', () => {
  it('imports the 12 photos, lists the two bad files with reasons, exits 0; re-import adds nothing', async () => {
    const photos = dlibFacesWithBadFiles()
    const project = path.join(tempDir(), 'project')

    const first = await run('import', photos.dir, '--project', project)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Imported 12 photos in/m)
    expect(first.stdout).toContain('Skipped 2 files:')
    expect(first.stdout).toContain(`${photos.text}: not an image (it is a text file)`)
    expect(first.stdout).toMatch(new RegExp(`${photos.truncated}: truncated or corrupt JPEG`))

    const second = await run('import', photos.dir, '--project', project)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^Imported 0 photos in .*; 12 already in the project/m)

    const status = await run('status', '--project', project, '--json')
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toEqual({
      images: 12,
      boxes: 0,
      labelled: 0,
      reviewed: 0,
      kindled: 0,
      classes: 1,
      // No native TensorFlow installs here, so the studio trains on wasm with its own kernels.
      backend: { name: 'wasm', version: '4.22.0', threads: 1 },
    })
  })

  it('prints the whole job as JSON with --json', async () => {
    const photos = dlibFacesWithBadFiles()
    const result = await run('import', photos.dir, '--project', path.join(tempDir(), 'p'), '--json')
    expect(JSON.parse(result.stdout)).toMatchObject({ state: 'done', imported: 12, skipped: [{}, {}] })
  })

  it('fails with a one-line reason and a non-zero code when it cannot do its job', async () => {
    const missing = await run('import', '/no/such/photos', '--project', path.join(tempDir(), 'p'))
    expect(missing).toMatchObject({ code: 1, stderr: 'kindling: folder not found: /no/such/photos\n' })

    const notProject = await run('status', '--project', tempDir())
    expect(notProject.code).toBe(1)
    expect(notProject.stderr).toMatch(/^kindling: .* is not a Kindling project \(no studio\.db\)\n$/)

    const usage = await run('import', '--project', 'x', '--frobnicate')
    expect(usage.code).toBe(2)
    expect(usage.stderr.split('\n')[0]).toMatch(/^kindling: .*frobnicate/)
  })

  it('creates the demo project from the sample photos that ship with the teacher models', async () => {
    const project = path.join(tempDir(), 'demo')
    const demo = await run('demo', '--project', project)
    expect(demo.code).toBe(0)
    expect(demo.stdout).toMatch(/^Imported 6 photos/m)
    const status = await run('status', '--project', project, '--json')
    expect(JSON.parse(status.stdout)).toMatchObject({ images: 6 })
  })

  it('scores detections against COCO ground truth, and names the field of a malformed detections file', async () => {
    const dir = tempDir()
    const gt = path.join(dir, 'gt.json')
    fs.writeFileSync(
      gt,
      JSON.stringify({
        images: [{ id: 1, file_name: 'a.jpg', width: 100, height: 100 }],
        categories: [{ id: 1, name: 'face' }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 20, 20] }],
      }),
    )
    const good = path.join(dir, 'good.json')
    fs.writeFileSync(good, JSON.stringify([{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 }]))
    const ok = await run('eval', '--gt', gt, '--pred', good)
    expect(ok.code).toBe(0)
    expect(ok.stdout.trim().split('\n').at(-1)).toBe('RESULT {"ap50":1,"ap":1,"recall":1}')

    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(
      bad,
      JSON.stringify([0, 1, 2, 3].map((i) => ({ image_id: 1, category_id: 1, bbox: i === 3 ? [1, 2, 3] : [1, 2, 3, 4], score: 0.5 }))),
    )
    expect(await run('eval', '--gt', gt, '--pred', bad)).toMatchObject({
      code: 1,
      stderr: `kindling: ${bad}: [3].bbox: expected array of 4 numbers\n`,
    })
    expect((await run('eval', '--gt', gt)).code).toBe(2)
  })

  it('explains a match: the box index and encoded offsets per anchor, as one JSON line', async () => {
    const input = path.join(tempDir(), 'match.json')
    fs.writeFileSync(
      input,
      JSON.stringify({
        anchors: [
          [0.1, 0.1, 0.5, 0.5],
          [0.5, 0.5, 0.9, 0.9],
          [0.12, 0.1, 0.5, 0.5],
        ],
        boxes: [[0.1, 0.1, 0.5, 0.5]],
        labels: [1],
        pos: 0.5,
        neg: 0.4,
      }),
    )
    const result = await run('anchors', 'match', '--input', input)
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const { matches, offsets } = JSON.parse(lines[0])
    expect(matches).toEqual([0, -1, 0])
    expect(offsets[0]).toEqual([0, 0, 0, 0])
    expect(offsets[1]).toEqual([0, 0, 0, 0])
    expect(offsets[2][0]).toBeLessThan(0) // the box sits left of the third anchor's centre

    fs.writeFileSync(input, JSON.stringify({ anchors: [[0, 0, 1, 1]], boxes: [[0, 0, 1]], labels: [1], pos: 0.5, neg: 0.4 }))
    const bad = await run('anchors', 'match', '--input', input)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^kindling: input .*: boxes\.0: /)
  })

  it('lists the detector presets with what each costs', async () => {
    const result = await run('presets', '--json')
    expect(result.code).toBe(0)
    const rows = JSON.parse(result.stdout) as { name: string; anchors: number; params: number; macs: number; backboneMacs: number }[]
    expect(rows.map((r) => r.name)).toContain('alexnet-ssd-300')
    expect(rows.map((r) => r.name)).toContain('mobilenet-ssd-320x240')
    const alexnet = rows.find((r) => r.name === 'alexnet-ssd-300')!
    expect(alexnet.anchors).toBe(5829)
    for (const r of rows) expect(r.macs).toBeGreaterThan(r.backboneMacs)
  })

  it('imports photos with their labels, exports them, and imports the export into a new project unchanged', async () => {
    const photos = dlibFacesWithBadFiles()
    const dir = tempDir()
    const project = path.join(dir, 'labelled')
    const labels = ['--labels', path.join(photos.dir, 'training.xml'), '--labels', path.join(photos.dir, 'testing.xml')]
    const imported = await run('import', photos.dir, ...labels, '--project', project)
    expect(imported.code).toBe(0)
    expect(imported.stdout).toMatch(/^Imported 43 boxes on 9 photos \(dlib\)/m)

    const exported = await run('export', '--format', 'voc', '--out', path.join(dir, 'voc'), '--project', project)
    expect(exported.code).toBe(0)
    const again = path.join(dir, 'again')
    const back = await run('import', photos.dir, '--labels', path.join(dir, 'voc'), '--format', 'voc', '--project', again)
    expect(back.code).toBe(0)
    const status = JSON.parse((await run('status', '--project', again, '--json')).stdout)
    expect(status).toMatchObject({ images: 12, boxes: 43 })

    const missing = await run('import', photos.dir, '--labels', path.join(dir, 'nope.xml'), '--project', again)
    expect(missing).toMatchObject({ code: 1 })
    expect(missing.stderr).toContain('nope.xml')
    expect((await run('export', '--format', 'csv', '--out', dir, '--project', again)).code).toBe(2)
  })
})
