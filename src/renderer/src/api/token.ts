// The serve-mode access token. It arrives in the URL that `kindling serve` prints; it is remembered for this tab so a
// reload still works, and then taken out of the address bar so it does not end up in history, bookmarks or screenshots.
const KEY = 'kindling.token'

export function takeToken(): string | null {
  const url = new URL(location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl !== null) {
    remember(fromUrl)
    url.searchParams.delete('token')
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`)
    return fromUrl
  }
  return recall()
}

// Storage can be unavailable (privacy settings, opaque origins); the token then lives only as long as the page.
function remember(token: string) {
  try {
    sessionStorage.setItem(KEY, token)
  } catch {
    /* reloads will need the printed URL again */
  }
}

function recall(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}
