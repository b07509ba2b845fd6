// The one place that knows there are two transports. Everything else gets a StudioApi and a Connection.
import type { StudioApi } from '../../../shared/api'
import { alwaysOpen, type Connection } from './connection'
import { takeToken } from './token'
import { connectOverWebSocket } from './websocket'

export function connectStudio(): { api: StudioApi; connection: Connection } {
  if (window.studio) return { api: window.studio, connection: alwaysOpen }
  return connectOverWebSocket(location.host, takeToken())
}
