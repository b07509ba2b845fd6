// Where the studio's own files are, whether it runs from source (tsx), from the electron-vite build (out/main), or
// from the CLI: found by walking up to the package's package.json rather than by counting '..'.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

export function appRoot(): string {
  if (root) return root
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kindling-studio') {
      return (root = dir)
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('cannot find the Kindling Studio package folder')
    dir = parent
  }
}

/** The built renderer (`electron-vite build`), served by serve mode and loaded by the Electron window. */
export const rendererDir = () => path.join(appRoot(), 'out', 'renderer')
