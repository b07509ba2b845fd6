// The open project and its headline numbers, always in view.
import type { ProjectInfo } from '../../../shared/api'
import { formatCount } from '../format'

export function TopBar({ project }: { project: ProjectInfo }) {
  const { counts } = project
  const stats: [label: string, value: number][] = [
    ['Photos', counts.images],
    ['Boxes', counts.boxes],
    ['Kindled', counts.kindled],
    ['Reviewed', counts.reviewed],
  ]
  return (
    <header className="top-bar">
      <div className="top-bar-project" title={project.dir}>
        <span className="top-bar-caption">Project</span>
        <span className="top-bar-name" data-testid="project-name">
          {project.name}
        </span>
      </div>
      <dl className="top-bar-stats">
        {stats.map(([label, value]) => (
          <div className="stat" key={label}>
            <dt>{label}</dt>
            <dd data-testid={`stat-${label.toLowerCase()}`}>{formatCount(value)}</dd>
          </div>
        ))}
      </dl>
    </header>
  )
}
