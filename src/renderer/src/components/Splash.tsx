// Shown until the studio has said what is open: a quiet placeholder, or why loading failed with a way to try again.
import { Logo } from './Icon'

export function Splash({ error, onRetry }: { error: string | null; onRetry(): void }) {
  return (
    <main className="notice-screen" aria-busy={error === null}>
      <div className="notice-card">
        <Logo size={36} />
        {error === null ? (
          <p className="muted">Connecting to the studio…</p>
        ) : (
          <>
            <h1>The studio could not load</h1>
            <p className="field-error">{error}</p>
            <button type="button" className="button" onClick={onRetry}>
              Try again
            </button>
          </>
        )}
      </div>
    </main>
  )
}
