// What the shell trusts, as pure functions: the window, the IPC guard, the navigation guard and the CSP all decide from
// these, and they are tested without Electron.
import { THUMBNAIL_SCHEME } from './bridge.js'

/**
 * Whether a URL is the studio's own page. In development the page comes from the Vite dev server, which serves many
 * paths, so its whole origin counts; a built app is one file, so only that file does (any other file:// page could be
 * anything on disk). Query and fragment are ignored: they are the page's own routing.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  const url = parseUrl(candidate)
  const app = parseUrl(appUrl)
  if (!url || !app) return false
  if (app.protocol === 'http:' || app.protocol === 'https:') return url.origin === app.origin
  if (app.protocol !== 'file:') return false
  return url.protocol === 'file:' && url.host === app.host && samePath(url.pathname, app.pathname)
}

/** The only links the studio hands to the system browser: https, so a page can't launch file:, smb: or app handlers. */
export function externalUrl(url: string): string | null {
  const parsed = parseUrl(url)
  return parsed?.protocol === 'https:' ? parsed.href : null
}

/**
 * The studio page's Content-Security-Policy, the same as the renderer's meta tag (plus frame-ancestors, which only a
 * header can carry). With a dev server it also lets in what Vite needs: the HMR WebSocket, and inline scripts and styles
 * (the React refresh preamble and injected CSS), which a built app never has.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? parseUrl(devServerUrl) : null
  const devOrigin = dev ? dev.origin : ''
  const devSocket = dev ? `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}` : ''
  const sources = (...list: string[]) => list.filter(Boolean).join(' ')
  return [
    "default-src 'none'",
    `script-src ${sources("'self'", dev ? `${devOrigin} 'unsafe-inline'` : '')}`,
    `style-src ${sources("'self'", dev ? `${devOrigin} 'unsafe-inline'` : '')}`,
    `img-src 'self' data: ${THUMBNAIL_SCHEME}:`,
    `font-src ${sources("'self'", devOrigin)}`,
    `connect-src ${dev ? `${devOrigin} ${devSocket}` : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

// Chromium and Node may percent-encode the same path differently (spaces, non-ASCII folder names).
function samePath(a: string, b: string): boolean {
  try {
    return decodeURIComponent(a) === decodeURIComponent(b)
  } catch {
    return a === b
  }
}
