// better-sqlite3 is compiled for Node — the CLI, the tests and serve mode run in Node — but Electron embeds a Node with
// another ABI. This builds a second binding for Electron beside the first (once per Electron version) and returns its
// path; the studio loads it through better-sqlite3's `nativeBinding` option when it runs inside Electron.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

export function electronSqliteBinding(root) {
  const require = createRequire(path.join(root, 'package.json'))
  const electronVersion = require('electron/package.json').version
  const target = path.join(root, 'out', 'native', `electron-${electronVersion}`, 'better_sqlite3.node')
  if (fs.existsSync(target)) return target

  console.log(`Building the SQLite binding for Electron ${electronVersion} (once)…`)
  const source = path.dirname(require.resolve('better-sqlite3/package.json'))
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-sqlite-'))
  try {
    fs.cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) })
    const inWork = (cmd, args) => spawnSync(process.execPath, [cmd, ...args], { cwd: work, stdio: 'inherit' }).status === 0
    const electronArgs = ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`]
    const nodeGyp =
      process.env.npm_config_node_gyp ??
      path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')
    // A prebuilt binary if the project publishes one for this Electron; otherwise compile against Electron's headers.
    const ok =
      inWork(require.resolve('prebuild-install/bin.js'), electronArgs) ||
      inWork(nodeGyp, ['rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers'])
    if (!ok) throw new Error('could not build better-sqlite3 for Electron (see the output above)')
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target)
    return target
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}
