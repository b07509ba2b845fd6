// The studio API over the serve-mode WebSocket: requests are matched to responses by id, events are fanned out to
// listeners, and a dropped connection is retried with backoff. Every incoming message is checked against the contract.
import {
  type ApiError,
  events,
  type Method,
  type Params,
  requests,
  type Result,
  type StudioApi,
  StudioError,
  type StudioEvent,
} from '../../../shared/api'
import type { Connection, ConnectionState } from './connection'

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 8_000
/** A file every serve-mode build has, fetched without the token to tell "server down" from "token refused". */
const PROBE_PATH = '/icon.svg'

interface Pending {
  method: Method
  /** The request text while it waits for a connection; null once sent. */
  unsent: string | null
  resolve(result: unknown): void
  reject(error: Error): void
}

type Incoming =
  { event: string; payload: unknown } | { id: number | null; ok: true; result: unknown } | { id: number | null; ok: false; error: ApiError }

export function connectOverWebSocket(host: string, token: string | null): { api: StudioApi; connection: Connection } {
  const client = new WebSocketClient(`ws://${host}/api?token=${encodeURIComponent(token ?? '')}`, token !== null)
  const api: StudioApi = {
    request: (method, params) => client.request(method, params),
    on: (listener) => client.on(listener),
    thumbnailUrl: (image) => `/thumbnails/${image.id}?v=${image.sha256.slice(0, 16)}&token=${encodeURIComponent(token ?? '')}`,
    photoUrl: (image) => `/photos/${image.id}?v=${image.sha256.slice(0, 16)}&token=${encodeURIComponent(token ?? '')}`,
  }
  return { api, connection: client }
}

class WebSocketClient implements Connection {
  private socket: WebSocket | null = null
  private state: ConnectionState = { status: 'connecting' }
  private nextId = 1
  private retries = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private readonly pending = new Map<number, Pending>()
  private readonly listeners = new Set<(event: StudioEvent) => void>()
  private readonly watchers = new Set<() => void>()

  constructor(
    private readonly url: string,
    hasToken: boolean,
  ) {
    if (hasToken) this.connect()
    else this.state = { status: 'unauthorised', reason: 'missing-token' }
  }

  request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    return new Promise<Result<M>>((resolve, reject) => {
      if (this.state.status === 'unauthorised') return reject(notAuthorised())
      const id = this.nextId++
      const text = JSON.stringify({ id, method, params })
      const entry: Pending = { method, unsent: text, resolve: resolve as (r: unknown) => void, reject }
      this.pending.set(id, entry)
      if (this.socket?.readyState === WebSocket.OPEN) this.send(entry)
    })
  }

  on(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  current(): ConnectionState {
    return this.state
  }

  subscribe(watcher: () => void): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  retryNow(): void {
    if (this.state.status === 'lost' && this.socket === null) this.connect()
  }

  private connect() {
    clearTimeout(this.retryTimer)
    const socket = new WebSocket(this.url)
    this.socket = socket
    let opened = false
    socket.onopen = () => {
      opened = true
      this.retries = 0
      this.setState({ status: 'open' })
      for (const entry of this.pending.values()) this.send(entry)
    }
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') this.receive(message.data)
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      // A sent request may or may not have run (an import may have started), so it is failed, never re-sent.
      for (const [id, entry] of this.pending) {
        if (entry.unsent !== null) continue
        this.pending.delete(id)
        entry.reject(new StudioError('lost the connection to the studio before it answered', 'failed'))
      }
      if (opened) return this.scheduleRetry()
      // Browsers hide why a handshake failed. If the server that served this page still answers, it refused us.
      void serverAnswers().then((answers) => (answers ? this.refuse() : this.scheduleRetry()))
    }
  }

  private send(entry: Pending) {
    if (entry.unsent === null || !this.socket) return
    this.socket.send(entry.unsent)
    entry.unsent = null
  }

  private receive(text: string) {
    let message: Incoming
    try {
      message = JSON.parse(text) as Incoming
    } catch {
      return console.warn('studio sent a message that is not JSON', text.slice(0, 200))
    }
    if ('event' in message) return this.deliver(message)
    const entry = message.id === null ? undefined : this.pending.get(message.id)
    if (!entry || message.id === null) {
      return console.warn('studio sent an answer to no request', message)
    }
    this.pending.delete(message.id)
    if (!message.ok) {
      const { message: text, code, field } = message.error
      return entry.reject(new StudioError(text, code, field))
    }
    const result = requests[entry.method].result.safeParse(message.result)
    if (result.success) entry.resolve(result.data)
    else entry.reject(new StudioError(`the studio answered ${entry.method} with data this UI does not understand`))
  }

  private deliver(message: { event: string; payload: unknown }) {
    const schema = Object.hasOwn(events, message.event) ? events[message.event as keyof typeof events] : undefined
    const payload = schema?.safeParse(message.payload)
    if (!payload?.success) return console.warn('studio sent an event this UI does not understand', message)
    const event = { event: message.event, payload: payload.data } as StudioEvent
    for (const listener of this.listeners) {
      // One broken listener must not starve the others of the event.
      try {
        listener(event)
      } catch (error) {
        reportError(error)
      }
    }
  }

  private scheduleRetry() {
    this.retries++
    this.setState({ status: 'lost', attempt: this.retries })
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.retries - 1))
    this.retryTimer = setTimeout(() => this.connect(), delay)
  }

  private refuse() {
    this.setState({ status: 'unauthorised', reason: 'rejected-token' })
    for (const entry of this.pending.values()) entry.reject(notAuthorised())
    this.pending.clear()
  }

  private setState(state: ConnectionState) {
    this.state = state
    for (const watcher of this.watchers) watcher()
  }
}

const notAuthorised = () => new StudioError('this page is not authorised to use the studio', 'failed')

function serverAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = new Image()
    probe.onload = () => resolve(true)
    probe.onerror = () => resolve(false)
    probe.src = `${PROBE_PATH}?probe=${Date.now()}`
  })
}
