// `kindling devices …` and `kindling deploy` as a user types them, against a real sshd, with the real runner bundle
// and a preset exported by the studio.
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, tempDir } from '../../helpers/fixtures.js'
import { type Sshd, startSshd } from '../../helpers/sshd.js'

const runnerBundle = path.join(repoRoot, 'resources', 'runner', 'kindling-runner.cjs')

const kindling = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], {
      env: { ...process.env, KINDLING_RUNNER: runnerBundle },
    })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

let sshd: Sshd
beforeAll(async () => {
  // npm run build makes it; build just the runner if this checkout has not been built.
  if (!fs.existsSync(runnerBundle)) execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-runner.js')])
  sshd = await startSshd()
})
afterAll(async () => {
  await sshd?.stop()
})

describe('kindling devices and kindling deploy', () => {
  it('pairs (only with --accept-host-key), lists, deploys a preset with streamed samples and a RESULT, reuses the upload, and refuses a changed host key', async () => {
    const project = path.join(tempDir(), 'robot')
    const pair = [
      'devices',
      'add',
      'pi',
      '--host',
      sshd.host,
      '--port',
      String(sshd.port),
      '--user',
      sshd.user,
      '--key',
      sshd.clientKey,
      '--project',
      project,
    ]

    const unaccepted = await kindling(...pair)
    expect(unaccepted.code).toBe(1)
    expect(unaccepted.stderr).toContain(`not yet trusted: ssh-ed25519 ${sshd.hostKeyFingerprint()}`)
    expect(unaccepted.stderr).toContain('--accept-host-key')

    const paired = await kindling(...pair, '--accept-host-key')
    expect(paired.code).toBe(0)
    expect(paired.stdout).toContain(`host key  ssh-ed25519 ${sshd.hostKeyFingerprint()} (pinned)`)

    const list = await kindling('devices', 'list', '--project', project, '--json')
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'this-computer', kind: 'local' }),
      expect.objectContaining({
        name: 'pi',
        kind: 'ssh',
        port: sshd.port,
        hostKey: { algorithm: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint() },
      }),
    ])

    const deploy = ['deploy', '--project', project, '--device', 'pi', '--preset', 'mobilenet-ssd-320x240', '--iterations', '3', '--warmup', '1']
    const first = await kindling(...deploy)
    expect(first.stderr).toBe('preparing…\nconnecting…\nuploading…\nrunning…\n')
    expect(first.code).toBe(0)
    const lines = first.stdout.trim().split('\n')
    expect(lines.filter((l) => /^sample \d+: [\d.]+ ms$/.test(l))).toHaveLength(3)
    const result = JSON.parse(lines.at(-1)!.replace(/^RESULT /, '')) as Record<string, unknown>
    expect(Object.keys(result)).toEqual(['device', 'samples', 'p50Ms', 'p90Ms', 'p99Ms', 'fps', 'runtime', 'threads', 'precision'])
    expect(result).toMatchObject({ device: 'pi', samples: 3, runtime: 'onnx', threads: os.cpus().length, precision: 'fp32' })
    expect(result.p50Ms as number).toBeGreaterThan(0)
    expect(result.p99Ms as number).toBeGreaterThanOrEqual(result.p50Ms as number)
    expect(first.stdout).toMatch(/uploaded [1-9]\d+ bytes/)
    // The same preset exports to the same files (seeded weights): nothing goes up the second time.
    const second = await kindling(...deploy)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('uploaded 0 bytes')
    // The runtime and threads as asked: TF.js wasm, or ONNX Runtime on one thread.
    const tfjs = await kindling(...deploy, '--runtime', 'tfjs')
    expect(tfjs.code).toBe(0)
    expect(
      JSON.parse(
        tfjs.stdout
          .trim()
          .split('\n')
          .at(-1)!
          .replace(/^RESULT /, ''),
      ),
    ).toMatchObject({ runtime: 'tfjs', threads: 1 })
    const oneThread = await kindling(...deploy, '--runtime', 'onnx', '--threads', '1')
    expect(oneThread.code).toBe(0)
    expect(
      JSON.parse(
        oneThread.stdout
          .trim()
          .split('\n')
          .at(-1)!
          .replace(/^RESULT /, ''),
      ),
    ).toMatchObject({ runtime: 'onnx', threads: 1 })

    await sshd.rotateHostKey()
    const refused = await kindling(...deploy)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^kindling: the host key of pi .* has changed/m)
    expect(refused.stdout).not.toContain('RESULT')
  }, 180_000)

  it('refuses bad command lines with exit 2', async () => {
    const project = tempDir()
    expect((await kindling('deploy', '--project', project, '--device', 'pi')).code).toBe(2)
    expect((await kindling('deploy', '--project', project, '--device', 'pi', '--preset', 'x', '--model', 'y')).code).toBe(2)
    const runtime = await kindling('deploy', '--project', project, '--device', 'pi', '--preset', 'x', '--runtime', 'fast')
    expect(runtime.code).toBe(2)
    expect(runtime.stderr).toContain('--runtime must be one of auto, onnx, tfjs, not "fast"')
    const tfjsThreads = await kindling('deploy', '--project', project, '--device', 'pi', '--preset', 'x', '--runtime', 'tfjs', '--threads', '4')
    expect(tfjsThreads.code).toBe(2)
    expect(tfjsThreads.stderr).toContain('TF.js wasm runs on one thread in Node')
    const bad = await kindling('devices', 'add', 'a\u0007b', '--host', 'h', '--user', 'u', '--key', '/k', '--project', project)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('name: must not contain control characters')
  })
})
