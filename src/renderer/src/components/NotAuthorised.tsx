// The page loaded but may not use the studio: without this, a wrong or stale token would leave a blank window.
import { Icon } from './Icon'

export function NotAuthorised({ reason }: { reason: 'missing-token' | 'rejected-token' }) {
  return (
    <main className="notice-screen" data-testid="not-authorised">
      <div className="notice-card">
        <div className="notice-icon">
          <Icon name="lock" size={22} />
        </div>
        <h1>Not authorised</h1>
        <p>
          {reason === 'missing-token'
            ? 'This page was opened without an access token, so the studio will not talk to it.'
            : 'The studio did not accept this page’s access token. It changes every time the studio starts.'}
        </p>
        <p className="muted">
          Open the link that <code>kindling serve</code> printed in its terminal: it carries the current token.
        </p>
      </div>
    </main>
  )
}
