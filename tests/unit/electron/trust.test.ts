import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, externalUrl, isAppUrl } from '../../../src/main/electron/trust.js'

describe('the app page check', () => {
  const built = pathToFileURL('/opt/Kindling Studio/resources/app/out/renderer/index.html').href

  it('accepts the built page, whatever its route in the query or fragment', () => {
    expect(isAppUrl(built, built)).toBe(true)
    expect(isAppUrl(`${built}#/review?image=3`, built)).toBe(true)
    expect(isAppUrl(`${built}?tab=train`, built)).toBe(true)
  })

  it('accepts the built page however Chromium percent-encodes its path', () => {
    expect(isAppUrl('file:///opt/Kindling%20Studio/resources/app/out/renderer/index.html', built)).toBe(true)
  })

  it('refuses any other file, even next to the page', () => {
    expect(isAppUrl(pathToFileURL('/opt/Kindling Studio/resources/app/out/renderer/other.html').href, built)).toBe(false)
    expect(isAppUrl('file:///home/me/Downloads/evil.html', built)).toBe(false)
    expect(isAppUrl('file://server/opt/Kindling%20Studio/resources/app/out/renderer/index.html', built)).toBe(false)
  })

  it('refuses web pages and nonsense when the app is a file', () => {
    expect(isAppUrl('https://example.com/index.html', built)).toBe(false)
    expect(isAppUrl('about:blank', built)).toBe(false)
    expect(isAppUrl('', built)).toBe(false)
  })

  it('accepts the whole dev server origin in development, and nothing else', () => {
    const dev = 'http://localhost:5173/'
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5173/src/main.tsx?t=1', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false)
    expect(isAppUrl('http://localhost:5173.evil.example/', dev)).toBe(false)
    expect(isAppUrl('http://user@evil.example/?http://localhost:5173/', dev)).toBe(false)
    expect(isAppUrl(built, dev)).toBe(false)
  })

  it('trusts nothing when the app URL itself is unusable', () => {
    expect(isAppUrl('kindling://thumbnails/1', 'kindling://thumbnails/1')).toBe(false)
    expect(isAppUrl('x', 'not a url')).toBe(false)
  })
})

describe('external links', () => {
  it('go to the system browser only over https', () => {
    expect(externalUrl('https://github.com/kindling/studio#readme')).toBe('https://github.com/kindling/studio#readme')
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'kindling://thumbnails/1',
      'mailto:someone@example.com',
      'nonsense',
    ]) {
      expect(externalUrl(url), url).toBeNull()
    }
  })
})

describe('the Content-Security-Policy', () => {
  it('in a built app is the renderer meta tag policy, plus frame-ancestors', () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: kindling:; font-src 'self'; " +
        "connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
  })

  it('in development lets in the dev server, its HMR socket, and the inline code Vite injects', () => {
    const policy = contentSecurityPolicy('http://localhost:5173/')
    const directive = (name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `))
    expect(directive('connect-src')).toBe('connect-src http://localhost:5173 ws://localhost:5173')
    expect(directive('script-src')).toBe("script-src 'self' http://localhost:5173 'unsafe-inline'")
    expect(directive('style-src')).toBe("style-src 'self' http://localhost:5173 'unsafe-inline'")
    expect(directive('img-src')).toBe("img-src 'self' data: kindling:")
    expect(directive('default-src')).toBe("default-src 'none'")
  })

  it('never allows eval or inline code in a built app', () => {
    expect(contentSecurityPolicy()).not.toMatch(/unsafe/)
  })
})
