// Starting a worker thread whose entry is one of the studio's own modules: the one place that knows how the studio was
// built, so where the entry is and how to load it — from the sources a .ts beside the caller, via a bootstrap that
// registers tsx inside the worker (Node 20 ignores `--import tsx` in a worker's execArgv, nodejs/node#47747); from the
// electron-vite build a `<name>.js` beside the bundle. The file name is held in a variable on purpose (Vite rewrites
// `new URL('literal', import.meta.url)` into an asset). See docs/engine.md#starting-worker-threads.
import { Worker } from 'node:worker_threads'

/**
 * The file URL of `<entry>.ts` beside the module at `callerUrl` (from sources), or of the build's `<entry>.js`: beside
 * the caller's bundle, which for code Rollup moved into a chunk shared by several entries (out/main/chunks/) is the
 * folder above.
 */
export function siblingModuleUrl(callerUrl: string, entry: string): string {
  if (new URL(callerUrl).pathname.endsWith('.ts')) return new URL(`${entry}.ts`, callerUrl).href
  const dir = new URL('.', callerUrl)
  return new URL(`${entry}.js`, dir.pathname.endsWith('/chunks/') ? new URL('..', dir) : dir).href
}

/** Start `<entry>.ts` (from sources) or `<entry>.js` (from the build), found beside the module at `callerUrl`. */
export function startWorkerThread(callerUrl: string, entry: string, workerData: unknown): Worker {
  const fromSources = new URL(callerUrl).pathname.endsWith('.ts')
  const url = new URL(siblingModuleUrl(callerUrl, entry))
  if (!fromSources) return new Worker(url, { workerData })
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData })
}
