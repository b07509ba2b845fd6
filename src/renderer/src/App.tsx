// Which screen to show: not authorised, still loading, no project (Welcome), or the studio itself.
import { useConnection } from './api/context'
import { AppShell } from './components/AppShell'
import { ConnectionBanner } from './components/ConnectionBanner'
import { NotAuthorised } from './components/NotAuthorised'
import { Splash } from './components/Splash'
import { ComparePage } from './pages/Compare/ComparePage'
import { DevicesPage } from './pages/Devices/DevicesPage'
import { EvaluatePage } from './pages/Evaluate/EvaluatePage'
import { LibraryPage } from './pages/Library/LibraryPage'
import { ReviewPage } from './pages/Review/ReviewPage'
import { TrainPage } from './pages/Train/TrainPage'
import { WelcomePage } from './pages/Welcome/WelcomePage'
import { usePage } from './state/usePage'
import { useStudioSession } from './state/useStudioSession'

export function App() {
  const { state } = useConnection()
  const session = useStudioSession()
  const page = usePage()
  if (state.status === 'unauthorised') return <NotAuthorised reason={state.reason} />

  const { info, project } = session
  // A job started in a project that is no longer open (it was cancelled by the switch) has no place on this screen.
  const projectJobs = project ? session.jobs.filter((job) => job.projectDir === project.dir) : []
  return (
    <div className="app">
      <ConnectionBanner />
      {!info ? (
        <Splash error={session.loadError} onRetry={session.reload} />
      ) : !project ? (
        <WelcomePage info={info} onOpened={session.projectOpened} />
      ) : (
        <AppShell project={project} version={info.version} backend={info.backend} jobs={projectJobs} page={page}>
          {page === 'review' ? (
            <ReviewPage key={project.dir} />
          ) : page === 'train' ? (
            <TrainPage key={project.dir} project={project} jobs={projectJobs} />
          ) : page === 'evaluate' ? (
            <EvaluatePage key={project.dir} jobs={projectJobs} />
          ) : page === 'devices' ? (
            <DevicesPage key={project.dir} />
          ) : page === 'compare' ? (
            <ComparePage key={project.dir} />
          ) : (
            <LibraryPage key={project.dir} project={project} jobs={projectJobs} />
          )}
        </AppShell>
      )}
    </div>
  )
}
