#!/usr/bin/env node
// `npm start`: build, then open the studio in its Electron window. Where Electron's binary is not installed (a headless
// box, or a machine that could not download it) the same studio starts in serve mode and prints its URL instead.
// It reopens the latest project; with none (a first run), the studio offers to create the demo project.
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronSqliteBinding } from './electron-native.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const run = (cmd, args, env = process.env) =>
  spawn(cmd, args, { cwd: root, stdio: 'inherit', env }).on('exit', (code) => process.exit(code ?? 0))

// The app, then the device runner (resources/runner/, not committed): "Deploy" on the Devices page needs it at once.
for (const script of ['node_modules/electron-vite/bin/electron-vite.js', 'scripts/build-runner.js']) {
  const built = spawnSync(process.execPath, [path.join(root, script), ...(script.includes('electron-vite') ? ['build'] : [])], {
    cwd: root,
    stdio: 'inherit',
  })
  if (built.status !== 0) process.exit(built.status ?? 1)
}

let electron
try {
  electron = createRequire(import.meta.url)('electron') // the binary's path; throws when it was never downloaded
} catch {
  electron = null
}

if (electron && !process.argv.includes('--serve')) {
  run(electron, ['.'], { ...process.env, KINDLING_SQLITE_BINDING: electronSqliteBinding(root) })
} else {
  if (!electron) console.log('Electron is not installed here, so the studio runs in serve mode: open the URL below.')
  run(process.execPath, [path.join(root, 'bin/kindling.js'), 'serve', '--port', process.env.PORT ?? '5175'])
}
