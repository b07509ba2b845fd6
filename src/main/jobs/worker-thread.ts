// Starting a worker thread whose entry is one of the studio's own modules — the one place that knows how the studio was
// built, and so where that entry file is and how it must be loaded.
//
// From the TypeScript sources (vitest compiles them with Vite; the bench and the CLI run them through tsx) the entry is
// a .ts file beside the caller. A worker thread inherits neither, and on Node 20 a loader passed in the worker's
// `execArgv` (`--import tsx`) is ignored (nodejs/node#47747: the worker fails with ERR_UNKNOWN_FILE_EXTENSION), so the
// worker starts from a one-line bootstrap that registers tsx inside the worker and then imports the entry. tsx is
// resolved to a file URL here because an eval'd worker would resolve a bare name from the working directory, which for
// the CLI is any project folder.
//
// electron-vite bundles the main process into out/main/index.js; there each entry is built as a main input of its own
// (electron.vite.config.ts) that lands beside the bundle as `<name>.js`, and is started directly. The file name is
// held in a variable on purpose: Vite rewrites `new URL('literal', import.meta.url)` into an asset.
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
