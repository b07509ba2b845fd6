// React access to the studio: the API object, the connection state, and event subscriptions (StudioProvider.tsx
// provides them).
import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react'
import type { StudioApi, StudioEvent } from '../../../shared/api'
import type { ConnectionState } from './connection'

export interface StudioContextValue {
  api: StudioApi
  subscribe(listener: () => void): () => void
  current(): ConnectionState
  retryNow(): void
}

export const StudioContext = createContext<StudioContextValue | null>(null)

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
