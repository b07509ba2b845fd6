// Three builds: the Electron main process, the preload (CommonJS, as sandboxed preloads must be), and the renderer.
import react from '@vitejs/plugin-react'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import type { Plugin } from 'vite'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/electron/main.ts'),
          // Started as a worker thread by the engine's data-parallel trainer, so it must be a file of its own.
          'data-parallel-worker': resolve(root, 'src/main/engine/data-parallel-worker.ts'),
          'kindle-worker': resolve(root, 'src/main/kindle/kindle-worker.ts'),
          'train-worker': resolve(root, 'src/main/train/train-worker.ts'),
          // Imported by URL in each data-parallel replica of a training run (train/parallel.ts).
          'detector-replica': resolve(root, 'src/main/train/detector-replica.ts'),
          'classifier-replica': resolve(root, 'src/main/train/classifier-replica.ts'),
          'predict-worker': resolve(root, 'src/main/train/predict-worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { index: resolve(root, 'src/main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react(), devOnlyRelaxedPolicy()],
    build: { minify: true, rollupOptions: { input: resolve(root, 'src/renderer/index.html') } },
  },
})

/**
 * The page's CSP meta tag forbids inline scripts and styles, which Vite's dev server needs for hot reload. In `npm run
 * dev` only, drop the tag: the Electron shell then sends a CSP header that allows the dev server and nothing else
 * (src/main/electron/security.ts). Builds keep the strict tag.
 */
function devOnlyRelaxedPolicy(): Plugin {
  return {
    name: 'kindling-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, ''),
  }
}
