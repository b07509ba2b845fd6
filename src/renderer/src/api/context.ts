// React access to the studio: the API object, the connection state, and event subscriptions.
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import type { StudioApi, StudioEvent } from '../../../shared/api'
import type { Connection, ConnectionState } from './connection'

interface StudioContextValue {
  api: StudioApi
  subscribe(listener: () => void): () => void
  current(): ConnectionState
  retryNow(): void
}

const StudioContext = createContext<StudioContextValue | null>(null)

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

function useStudioContext(): StudioContextValue {
  const value = useContext(StudioContext)
  if (!value) throw new Error('studio hooks must be used inside <StudioProvider>')
  return value
}

export const useStudio = (): StudioApi => useStudioContext().api

export function useConnection(): { state: ConnectionState; retryNow(): void } {
  const { subscribe, current, retryNow } = useStudioContext()
  return { state: useSyncExternalStore(subscribe, current), retryNow }
}

/** Call `listener` for every studio event while mounted; the latest listener is used without resubscribing. */
export function useStudioEvents(listener: (event: StudioEvent) => void): void {
  const studio = useStudio()
  const latest = useRef(listener)
  useEffect(() => {
    latest.current = listener
  })
  useEffect(() => studio.on((event) => latest.current(event)), [studio])
}
