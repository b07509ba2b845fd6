// The renderer shows photos and file names from the user's disk, so it is treated as untrusted: it can't navigate
// away, open windows, get permissions, or load anything its Content-Security-Policy does not list.
import { type Session, shell, type WebContents } from 'electron'
import { contentSecurityPolicy, externalUrl, isAppUrl } from './trust.js'
import type { AppPage } from './window.js'

/** Applied to every web contents the app creates (see `web-contents-created`), so a new window can't forget it. */
export function hardenContents(contents: WebContents, page: AppPage): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, page.url)) return
    event.preventDefault()
    openInBrowser(event.url)
  })
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export function hardenSession(session: Session, page: AppPage): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)

  // The header backs up the renderer's meta tag; a header can't be removed by script in the page. Chromium keeps the
  // stricter of the two, so the meta tag must allow at least as much in development (see contentSecurityPolicy).
  const policy = contentSecurityPolicy(page.devServerUrl)
  session.webRequest.onHeadersReceived((details, callback) => {
    const isDocument = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame'
    if (!isDocument || !isAppUrl(details.url, page.url)) return callback({})
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'),
    )
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [policy] } })
  })
}

function openInBrowser(url: string): void {
  const external = externalUrl(url)
  if (!external) return
  shell.openExternal(external).catch((error: unknown) => console.error(`kindling: cannot open ${external}:`, error))
}
