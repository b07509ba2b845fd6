// What every end-to-end test needs: Debian's Chromium through playwright-core, and the real `kindling serve` in a child
// process whose printed URL (with its token) the test opens.
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'

export const ROOT = path.resolve(import.meta.dirname, '../..')

const CHROMIUM = '/usr/bin/chromium'
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this closed network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`)
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

export interface Served {
  url: string
  child: ChildProcess
}

/** Start `kindling serve ARGS` on a free port and resolve with the URL (token included) it prints. */
export function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  // A temp KINDLING_HOME unless the test names one: serve keeps its recent projects there, never in the user's own.
  const home = env.KINDLING_HOME ?? process.env.KINDLING_HOME ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-e2e-home-'))
  const child = spawn(process.execPath, ['bin/kindling.js', 'serve', ...args, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env, KINDLING_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (home !== (env.KINDLING_HOME ?? process.env.KINDLING_HOME)) child.once('exit', () => fs.rmSync(home, { recursive: true, force: true }))
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const url = / at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout)?.[1]
      if (url) resolve({ url, child })
    })
    child.once('exit', (code) => reject(new Error(`kindling serve exited (${code}) before printing its URL:\n${stderr}`)))
  })
}

/** Stop a server as a user would (SIGTERM), and make sure it is gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/**
 * What a test file's tests share: Chromium, launched before them; temp folders; the studios it serves — all closed,
 * stopped and removed after them. `const e2e = e2eFile('evaluate')`, then `e2e.browser`, `e2e.tempDir()` and
 * `await e2e.serve(args, env)`.
 */
export function e2eFile(name: string) {
  let browser: Browser | undefined
  const dirs: string[] = []
  const servers: Served[] = []
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    for (const served of servers) await stop(served.child)
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })
  return {
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not running: e2e.browser is for inside the tests')
      return browser
    },
    tempDir(): string {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kindling-e2e-${name}-`))
      dirs.push(dir)
      return dir
    },
    async serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
      const served = await serve(args, env)
      servers.push(served)
      return served
    },
  }
}
