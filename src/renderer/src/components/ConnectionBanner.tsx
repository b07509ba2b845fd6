// Says so, loudly but without blocking the page, when the studio cannot be reached; the page stays as it was.
import { useConnection } from '../api/context'
import { Icon } from './Icon'

export function ConnectionBanner() {
  const { state, retryNow } = useConnection()
  if (state.status !== 'lost') return null
  return (
    <div className="banner is-warning" role="alert" data-testid="connection-banner">
      <Icon name="alert" />
      <span>
        <strong>Disconnected from the studio.</strong> Reconnecting
        {state.attempt > 1 ? ` (attempt ${state.attempt})` : ''}… Changes you make now will wait until it is back.
      </span>
      <button type="button" className="button is-small" onClick={retryNow}>
        Retry now
      </button>
    </div>
  )
}
