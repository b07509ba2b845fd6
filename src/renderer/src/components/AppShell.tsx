// The frame every page sits in: pages on the left, the project across the top, status along the bottom.
import type { ReactNode } from 'react'
import type { BackendInfo, JobProgress, ProjectInfo } from '../../../shared/api'
import type { PageName } from '../state/usePage'
import { NavRail } from './NavRail'
import { StatusBar } from './StatusBar'
import { TopBar } from './TopBar'

export interface AppShellProps {
  project: ProjectInfo
  version: string
  backend: BackendInfo
  jobs: JobProgress[]
  page: PageName
  children: ReactNode
}

export function AppShell({ project, version, backend, jobs, page, children }: AppShellProps) {
  return (
    <div className="shell">
      <NavRail current={page} />
      <TopBar project={project} />
      <main className="shell-main">{children}</main>
      <StatusBar project={project} version={version} backend={backend} jobs={jobs} />
    </div>
  )
}
