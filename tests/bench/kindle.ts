// `npm run bench -- kindle [--images=500] [--teacher=NAME]`: kindle GENKI photos with the default teacher
// (BlazeFace) or another one (an ensemble too), default settings (min score 0.5, zoom-out for photos with no face or
// a big one), on every core (one worker thread each) and on one worker thread, in the same run. Teacher start-up (loading the engine and the weights in each worker) is timed
// apart from kindling. Memory: the process's RSS (workers included), sampled while kindling.
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
  for (const f of fs.readdirSync(genkiImages).filter((f) => f.endsWith('.jpg')).sort().slice(0, count)) {
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
        if (done !== undefined && done >= count / 5 && !rssAt[`${label}@${count / 5}`]) rssAt[`${label}@${count / 5}`] = process.memoryUsage.rss()
      },
      skip: (f) => console.error(`skipped ${f.path}: ${f.reason}`),
    }
    t = performance.now()
    const summary = await kindleProject(store, ctx, { teacher: settings.teacher, service, redo: true })
    const sec = (performance.now() - t) / 1000
    rssAt[`${label}@${count}`] = process.memoryUsage.rss()
    await service.close()
    return { summary, sec, startupSec }
  }
  const all = await run(os.availableParallelism(), 'all')
  const one = await run(1, 'one')
  clearInterval(sampler)
  await studio.close()

  const mb = (n: number) => round(n / 1024 / 1024, 0)
  const rows = [all, one].map((r) => ({
    threads: r.summary.threads,
    images: r.summary.kindled,
    'kindle s': round(r.sec, 1),
    'images/s': round(r.summary.kindled / r.sec, 2),
    'start-up s': round(r.startupSec, 1),
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
    imagesPerSec: round(all.summary.kindled / all.sec, 2),
    imagesPerSecOneThread: round(one.summary.kindled / one.sec, 2),
    peakRssMb: mb(peakRss),
  }
}
