// How the UI is connected to the studio, as far as the UI needs to know: whether requests can go through now, and if
// not, whether waiting helps. Electron's IPC is always open; a WebSocket can drop and come back.

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  /** Dropped (or never reached); retrying with backoff. `attempt` counts the retries since the last success. */
  | { status: 'lost'; attempt: number }
  /** The studio refused this page's access token, or there was none: retrying cannot help. */
  | { status: 'unauthorised'; reason: 'missing-token' | 'rejected-token' }

export interface Connection {
  current(): ConnectionState
  subscribe(listener: () => void): () => void
  /** Skip the rest of the backoff wait and try to reconnect now. */
  retryNow(): void
}

const OPEN: ConnectionState = { status: 'open' }

export const alwaysOpen: Connection = {
  current: () => OPEN,
  subscribe: () => () => {},
  retryNow: () => {},
}
