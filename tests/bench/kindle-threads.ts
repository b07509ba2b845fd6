// `npm run bench -- kindle-threads [--images=150]` (Linux): where each thread's time goes while the kindling pool
// (default teacher and settings) kindles GENKI photos straight through `startKindling`, with 2, 1, 1 and 2 workers
// (ABBA). Per thread, from /proc/self/task/*/schedstat: seconds on a CPU and seconds runnable but waiting in the run
// queue. A worker that runs half the time and waits the other half is short of cores, not of photos (a worker short of
// photos sleeps, which neither counts).
import fs from 'node:fs'
import path from 'node:path'
import { resolveSettings, startKindling } from '../../src/main/kindle/index.js'
import { genkiImages } from '../helpers/fixtures.js'
import { round, table } from './util.js'

function snapshot(): Map<string, { run: number; wait: number }> {
  const m = new Map<string, { run: number; wait: number }>()
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const [run, wait] = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      m.set(tid, { run: run / 1e9, wait: wait / 1e9 })
    } catch {
      // the thread ended meanwhile
    }
  }
  return m
}

export default async function kindleThreadsBench(args: string[]) {
  const count = Number(args.find((a) => a.startsWith('--images='))?.split('=')[1] ?? 150)
  // Photos the kindle bench does not use (it takes the first 500), so none is fresher in a cache than another.
  const files = fs
    .readdirSync(genkiImages)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(1000, 1000 + count)
    .map((f) => path.join(genkiImages, f))
  const settings = resolveSettings({})
  const rows: Record<string, string | number>[] = []
  for (const workers of [2, 1, 1, 2]) {
    const service = await startKindling(settings, { workers })
    const before = snapshot()
    const t = performance.now()
    let next = 0
    const inFlight = new Set<Promise<unknown>>()
    while (next < files.length || inFlight.size > 0) {
      while (inFlight.size < service.capacity && next < files.length) {
        const p = service.kindle(files[next++]).finally(() => inFlight.delete(p))
        inFlight.add(p)
      }
      await Promise.race(inFlight)
    }
    const wall = (performance.now() - t) / 1000
    const after = snapshot()
    await service.close()
    // Threads that ran at least 0.5 s: the workers (and the main thread, which is listed first by thread id).
    const busy = [...after]
      .map(([tid, v]) => ({ tid, run: v.run - (before.get(tid)?.run ?? 0), wait: v.wait - (before.get(tid)?.wait ?? 0) }))
      .filter((r) => r.run >= 0.5 || r.tid === String(process.pid))
      .sort((a, b) => b.run - a.run)
    const all = [...after].reduce((s, [tid, v]) => s + v.run - (before.get(tid)?.run ?? 0), 0)
    rows.push({
      workers,
      'photos/s': round(files.length / wall, 1),
      'wall s': round(wall, 1),
      'busy threads run/wait s': busy
        .map((r) => `${r.tid === String(process.pid) ? 'main ' : ''}${r.run.toFixed(1)}/${r.wait.toFixed(1)}`)
        .join(', '),
      'cores used': round(all / wall, 2),
      'load avg': round(Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]), 1),
    })
  }
  console.log(table(rows))
  return { images: files.length, runs: rows }
}
