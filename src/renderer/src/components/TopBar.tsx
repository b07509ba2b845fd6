// The open project (its name opens the project menu) and its headline numbers, always in view.
import type { ProjectInfo } from '../../../shared/api'
import { formatCount } from '../format'
import { ProjectMenu } from './ProjectMenu'

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
      <ProjectMenu project={project} />
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
