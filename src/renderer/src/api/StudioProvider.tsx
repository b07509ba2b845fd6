// Hands the studio's API and connection to the hooks of context.ts. A file of its own because a file that exports a
// component and anything else cannot hot reload.
import { type ReactNode, useMemo } from 'react'
import type { StudioApi } from '../../../shared/api'
import type { Connection } from './connection'
import { StudioContext, type StudioContextValue } from './context'

export function StudioProvider(props: { api: StudioApi; connection: Connection; children: ReactNode }) {
  const { api, connection } = props
  // Bound once, so useSyncExternalStore does not resubscribe on every render.
  const value = useMemo<StudioContextValue>(
    () => ({
      api,
      subscribe: (listener) => connection.subscribe(listener),
      current: () => connection.current(),
      retryNow: () => connection.retryNow(),
    }),
    [api, connection],
  )
  return <StudioContext.Provider value={value}>{props.children}</StudioContext.Provider>
}
