// `kindling serve [--project DIR] [--port N]`: the studio UI over HTTP and a WebSocket on 127.0.0.1, until Ctrl-C.
// Without --project it reopens the latest recent project that is still there, as the desktop app does.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { appRoot, rendererDir } from '../../paths.js'
import { RecentProjects, recentFile } from '../../project/recent.js'
import { reopenLatest } from '../../project/reopen.js'
import { Studio } from '../../studio.js'
import { startServer } from '../serve.js'
import { parseOptions, UsageError } from '../usage.js'

export const SERVE_USAGE = `  kindling serve  [--project DIR] [--port N]   serve the studio UI on 127.0.0.1 (prints the URL with its token);
                                                without --project, the latest recent project that still exists`

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { project: { type: 'string' }, port: { type: 'string' } })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, not ${values.port}`)
  ensureRendererBuilt()
  const recent = new RecentProjects(recentFile())
  await recent.load()
  const studio = new Studio({ recent })
  try {
    if (values.project) await studio.openProject(values.project, { create: true })
    else await reopenLatest(studio)
    const server = await startServer({ studio, port }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: pass --port N (0 picks a free one)`) : error
    })
    // Listening before the URL is printed: whoever reads it (a script, a test) may stop the server at once, and a
    // signal with no listener yet would kill the process without closing the project.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    console.log(`Kindling Studio${studio.project ? ` (${studio.project.dir})` : ''} at ${server.url}`)
    await stopped
    await server.close()
    return 0
  } finally {
    await studio.close()
  }
}

/** Serve mode needs the renderer build; build it once on first use rather than fail on a fresh clone. */
function ensureRendererBuilt() {
  if (fs.existsSync(path.join(rendererDir(), 'index.html'))) return
  console.error('Building the studio UI (first run)…')
  const bin = path.join(appRoot(), 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const built = spawnSync(process.execPath, [bin, 'build'], { cwd: appRoot(), stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error('building the UI failed: run `npm run build` to see why')
}
