// `npm run bench -- kindle [--images=500] [--teacher=NAME] [--rounds=1]`: kindle GENKI photos with the default teacher
// (BlazeFace) or another one (an ensemble too), default settings (min score 0.5, zoom-out for photos with no face or
// a big one), on every core (one worker thread each) and on one worker thread, in the same run. Teacher start-up
// (loading the engine and the weights in each worker) is timed apart from kindling. Memory: the process's RSS (workers
// included), sampled while kindling. CPU: the process's CPU time (every thread: main, workers, libuv) per photo, and
// the cores it got (CPU seconds per second), so a slow run can be told apart: about one core used by two workers
// means the machine had no second core to give (shared), more CPU a photo means the work itself costs more. `--rounds=2` runs all / one / one / all (ABBA), so a load that
// drifts during the run weighs on both the same; photos/s are then the mean of the rounds.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { JobContext } from '../../src/main/jobs/index.js'
import { kindleProject, resolveSettings, startKindling } from '../../src/main/kindle/index.js'
import { Studio } from '../../src/main/studio.js'
import { genkiImages, tempDir } from '../helpers/fixtures.js'
import { round, table } from './util.js'

export default async function kindleBench(args: string[]) {
  const count = Number(args.find((a) => a.startsWith('--images='))?.split('=')[1] ?? 500)
  // The photos stay in the shared folder: the project imports symbolic links to the first `count` of them.
  const photos = path.join(tempDir('kindling-bench-'), 'photos')
  fs.mkdirSync(photos)
  for (const f of fs
    .readdirSync(genkiImages)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, count)) {
    fs.symlinkSync(path.join(genkiImages, f), path.join(photos, f))
  }
  const studio = new Studio()
  await studio.openProject(path.join(tempDir('kindling-bench-'), 'project'), { create: true })
  const imported = await studio.importFolder(photos).finished
  if (imported.imported !== count) throw new Error(`imported ${imported.imported} of ${count} photos`)
  const store = studio.project!

  let peakRss = process.memoryUsage.rss()
  const rssAt: Record<string, number> = {}
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50)
  const teacher = args.find((a) => a.startsWith('--teacher='))?.split('=')[1]
  const settings = resolveSettings({ teacher })
  const run = async (workers: number, label: string) => {
    let t = performance.now()
    const service = await startKindling(settings, { workers })
    const startupSec = (performance.now() - t) / 1000
    const ctx: JobContext = {
      signal: new AbortController().signal,
      report: ({ done }) => {
        if (done !== undefined && done >= count / 5 && !rssAt[`${label}@${count / 5}`])
          rssAt[`${label}@${count / 5}`] = process.memoryUsage.rss()
      },
      skip: (f) => console.error(`skipped ${f.path}: ${f.reason}`),
    }
    t = performance.now()
    const cpu1 = process.cpuUsage()
    const summary = await kindleProject(store, ctx, { teacher: settings.teacher, service, redo: true })
    const sec = (performance.now() - t) / 1000
    const cpu = process.cpuUsage(cpu1)
    const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / summary.kindled
    rssAt[`${label}@${count}`] = process.memoryUsage.rss()
    await service.close()
    return { summary, sec, startupSec, cpuMsPerImage, loadAvg: os.loadavg()[0] }
  }
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1)
  const runs: (Awaited<ReturnType<typeof run>> & { label: string })[] = []
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['all', 'one'] : ['one', 'all']
    for (const label of order) runs.push({ label, ...(await run(label === 'all' ? os.availableParallelism() : 1, label)) })
  }
  const mean = (label: string) => {
    const of = runs.filter((r) => r.label === label)
    return of.reduce((a, r) => a + r.summary.kindled / r.sec, 0) / of.length
  }
  const all = runs.find((r) => r.label === 'all')!
  const one = runs.find((r) => r.label === 'one')!
  clearInterval(sampler)
  await studio.close()

  const mb = (n: number) => round(n / 1024 / 1024, 0)
  const rows = runs.map((r) => ({
    threads: r.summary.threads,
    images: r.summary.kindled,
    'kindle s': round(r.sec, 1),
    'images/s': round(r.summary.kindled / r.sec, 2),
    'start-up s': round(r.startupSec, 1),
    'CPU ms/image': round(r.cpuMsPerImage, 1),
    // CPU seconds a second: how many cores the process actually got while kindling.
    'cores used': round((r.cpuMsPerImage * r.summary.kindled) / 1000 / r.sec, 2),
    'load avg': round(r.loadAvg, 1),
    faces: r.summary.faces,
    'no face': r.summary.noFace,
  }))
  console.log(table(rows))
  console.log(
    `RSS (MB): all cores at ${count / 5} images ${mb(rssAt[`all@${count / 5}`])}, at ${count} ${mb(rssAt[`all@${count}`])}; ` +
      `one thread at ${count / 5} ${mb(rssAt[`one@${count / 5}`])}, at ${count} ${mb(rssAt[`one@${count}`])}; peak ${mb(peakRss)}`,
  )
  return {
    teacher: settings.teacher,
    images: all.summary.kindled,
    imagesPerSec: round(mean('all'), 2),
    imagesPerSecOneThread: round(mean('one'), 2),
    cpuMsPerImage: round(all.cpuMsPerImage, 1),
    cpuMsPerImageOneThread: round(one.cpuMsPerImage, 1),
    rounds,
    peakRssMb: mb(peakRss),
  }
}
