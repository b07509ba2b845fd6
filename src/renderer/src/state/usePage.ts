// Which page is showing, kept in the URL's hash so a reload (or the browser's back button) stays on it. A page may
// carry parameters after a `?`, as a query string: `#review?image=42` opens the Review page at photo 42 (the Library
// links there), `#devices?model=PATH` opens the Devices page with a trained model folder to deploy (the Train page
// links there).
import { useEffect, useState, useSyncExternalStore } from 'react'

export type PageName = 'library' | 'review' | 'train' | 'evaluate' | 'devices' | 'compare'
const PAGES: readonly PageName[] = ['library', 'review', 'train', 'evaluate', 'devices', 'compare']

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

/** The page and its parameters in a hash such as `#review?image=42` (pure, for tests). */
export function parseHash(hash: string): { page: PageName; params: URLSearchParams } {
  const [name, query = ''] = hash.replace(/^#/, '').split('?', 2)
  const page = (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'library'
  return { page, params: new URLSearchParams(query) }
}

/** The photo a `#review?image=ID` hash asks for, or null (no parameter, or not a photo id). */
export function reviewImageOf(hash: string): number | null {
  const { page, params } = parseHash(hash)
  const raw = params.get('image')
  if (page !== 'review' || raw === null || !/^[1-9]\d{0,15}$/.test(raw)) return null
  return Number(raw)
}

/** The hash that opens the Review page at a photo. */
export const reviewHash = (imageId: number) => `#review?image=${imageId}`

/** The model folder a `#devices?model=PATH` hash asks the Devices page to deploy, or null. */
export function devicesModelOf(hash: string): string | null {
  const { page, params } = parseHash(hash)
  const model = params.get('model')?.trim()
  return page === 'devices' && model ? model : null
}

/** The hash that opens the Devices page with a model folder (a run's checkpoint) chosen for deploying. */
export const devicesModelHash = (modelDir: string) => `#devices?${new URLSearchParams({ model: modelDir })}`

export function usePage(): PageName {
  return useSyncExternalStore(subscribe, () => parseHash(location.hash).page)
}

/**
 * The photo the hash asks the Review page to show, renewed on every navigation to such a hash (a link, back and
 * forward) — and only then: the page itself keeps the hash naming the photo shown with `history.replaceState`, which
 * is not a navigation and must not send the editor anywhere.
 */
export function useReviewImageParam(): { image: number | null } {
  const [asked, setAsked] = useState(() => ({ image: reviewImageOf(location.hash) }))
  useEffect(() => subscribe(() => setAsked({ image: reviewImageOf(location.hash) })), [])
  return asked
}
