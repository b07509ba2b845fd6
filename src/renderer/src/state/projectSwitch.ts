// The words of a project switch: which running jobs it would cancel, and the name of the folder it goes to.
import type { JobProgress } from '../../../shared/api'

const JOB_NAME: Record<JobProgress['kind'], string> = {
  import: 'An import',
  kindle: 'Kindling',
  train: 'A training run',
  predict: 'A prediction',
  export: 'An export',
  evaluate: 'An evaluation',
}

/** "A training run is running", "An import and kindling are running": the jobs a switch would cancel. */
export function runningJobsSentence(jobs: Pick<JobProgress, 'kind'>[]): string {
  const names = jobs.map((job, i) => (i === 0 ? JOB_NAME[job.kind] : JOB_NAME[job.kind].toLowerCase()))
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  return `${list} ${names.length > 1 ? 'are' : 'is'} running`
}

/** The last part of a folder path as typed (either slash, trailing ones ignored): the name a project goes by. */
export function folderName(dir: string): string {
  return (
    dir
      .trim()
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .at(-1) || dir.trim()
  )
}
