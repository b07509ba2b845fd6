// Which page is showing, kept in the URL's hash so a reload (or the browser's back button) stays on it.
import { useSyncExternalStore } from 'react'

export type PageName = 'library' | 'review' | 'devices'
const PAGES: readonly PageName[] = ['library', 'review', 'devices']

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

export function usePage(): PageName {
  return useSyncExternalStore(subscribe, () => {
    const name = location.hash.replace(/^#/, '')
    return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'library'
  })
}
