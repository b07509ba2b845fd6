// `kindling kindle` as a script would run it: the exported command on a real project (exit codes, summary, resume).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { kindleCommand } from '../../../src/main/server/commands/kindle.js'
import { runCommand } from '../../../src/main/server/usage.js'
import { Studio } from '../../../src/main/studio.js'
import { dlibFaces, tempDir } from '../../helpers/fixtures.js'

afterEach(() => vi.restoreAllMocks())

function capture() {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')))
  return { out, err }
}

describe('kindling kindle', () => {
  it('kindles a project, reports what it did as JSON, and a second run resumes (nothing left to do)', async () => {
    const project = tempDir()
    const studio = new Studio()
    await studio.openProject(project, { create: true })
    await studio.importFolder(dlibFaces).finished
    await studio.close()

    const first = capture()
    expect(await runCommand(kindleCommand, ['--project', project, '--threads', '0', '--json'])).toBe(0)
    const summary = JSON.parse(first.out.at(-1)!)
    expect(summary).toMatchObject({ teacher: 'blazeface', kindled: 12, threads: 1, cancelled: false, skipped: [] })
    expect(summary.faces).toBeGreaterThan(40)
    vi.restoreAllMocks()

    const second = capture()
    expect(await runCommand(kindleCommand, ['--project', project, '--threads', '0'])).toBe(0)
    expect(second.out[0]).toMatch(/^Kindled 0 photos with blazeface/)
    expect(second.out[1]).toMatch(/12 already kindled with these settings/)
  }, 120_000)

  it('exits 2 for a bad command line and 1 for a folder that is not a project', async () => {
    const { err } = capture()
    expect(await runCommand(kindleCommand, ['--project', tempDir(), '--teacher', 'retinaface'])).toBe(2)
    expect(err[0]).toMatch(/--teacher: unknown teacher "retinaface": use one of ssd-mobilenetv1, tiny-face-detector, blazeface/)
    expect(await runCommand(kindleCommand, ['--project', tempDir(), '--teacher', 'blazeface', '--ensemble', 'wbf'])).toBe(2)
    expect(err.join('\n')).toMatch(/--ensemble needs two or more teachers/)
    expect(await runCommand(kindleCommand, ['--project', tempDir(), '--teacher', 'blazeface+ssd-mobilenetv1', '--ensemble', 'vote'])).toBe(2)
    expect(err.join('\n')).toMatch(/--ensemble must be one of wbf, union-nms/)
    expect(await runCommand(kindleCommand, ['--project', tempDir()])).toBe(1)
    expect(err.at(-1)).toMatch(/is not a Kindling project/)
  })
})
