// No project is open: start from the demo, open (or create) a project folder, or go back to a recent one.
import type { ProjectInfo, StudioInfo } from '../../../../shared/api'
import { Logo } from '../../components/Icon'
import { CreateDemoCard } from './CreateDemoCard'
import { OpenProjectCard } from './OpenProjectCard'
import { RecentProjectsCard } from './RecentProjectsCard'
import '../../styles/welcome.css'

export function WelcomePage({ info, onOpened }: { info: StudioInfo; onOpened(project: ProjectInfo): void }) {
  return (
    <main className="welcome">
      <header className="welcome-header">
        <Logo size={44} />
        <div>
          <h1>Kindling Studio</h1>
          <p className="muted">Turn a folder of photos into a fast face detector for your Raspberry Pi.</p>
        </div>
      </header>
      <div className="welcome-cards">
        <CreateDemoCard defaultDir={info.demoDir} onOpened={onOpened} />
        <OpenProjectCard onOpened={onOpened} />
        <RecentProjectsCard recent={info.recent} onOpened={onOpened} />
      </div>
      <footer className="welcome-footer muted">Version {info.version}</footer>
    </main>
  )
}
