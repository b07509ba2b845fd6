// One line of ambient facts: is the studio there, which folder is open, what is running, which version.
import type { BackendInfo, JobProgress, ProjectInfo } from '../../../shared/api'
import { useConnection } from '../api/context'
import { formatCount } from '../format'

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  open: 'Connected',
  lost: 'Reconnecting…',
  unauthorised: 'Not authorised',
} as const

const JOB_VERB: Record<JobProgress['kind'], string> = {
  import: 'Importing',
  kindle: 'Kindling',
  train: 'Training',
  predict: 'Predicting',
  export: 'Exporting',
  evaluate: 'Evaluating',
}

interface StatusBarProps {
  project: ProjectInfo
  version: string
  backend: BackendInfo
  jobs: JobProgress[]
}

export function StatusBar({ project, version, backend, jobs }: StatusBarProps) {
  const { state } = useConnection()
  const running = jobs.filter((job) => job.state === 'running')
  return (
    <footer className="status-bar">
      <span className={`status-connection is-${state.status}`}>
        <span className="status-dot" aria-hidden="true" />
        {CONNECTION_LABEL[state.status]}
      </span>
      <span className="status-path mono" title={project.dir}>
        {project.dir}
      </span>
      {running.map((job) => (
        <span className="status-job" key={job.jobId}>
          {JOB_VERB[job.kind]} {formatCount(job.done)}
          {job.total === null ? '' : ` / ${formatCount(job.total)}`}
        </span>
      ))}
      <span className="status-backend" data-testid="backend" title="The TensorFlow.js backend that trains models">
        {backend.name} {backend.version} · {backend.threads} thread{backend.threads === 1 ? '' : 's'}
      </span>
      <span className="status-version">Kindling Studio {version}</span>
    </footer>
  )
}
