// The one place where a message from a transport becomes a call on the studio: it checks the message against the API
// contract, names the first bad field if any (and then changes nothing), and turns failures into error responses.
import { z } from 'zod'
import { type ApiError, describeZodError, type Method, RequestMessage, requests, type ResponseMessage, StudioError } from '../shared/api.js'
import type { Studio } from './studio.js'

const isMethod = (m: string): m is Method => Object.hasOwn(requests, m)

export async function dispatch(studio: Studio, raw: unknown): Promise<ResponseMessage> {
  const message = RequestMessage.safeParse(raw)
  if (!message.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null
    return fail(id, { code: 'invalid', ...describeZodError(message.error, '') })
  }
  const { id, method } = message.data
  if (!isMethod(method)) {
    return fail(id, { code: 'invalid', field: 'method', message: `method: unknown method "${method}"` })
  }
  const params = requests[method].params.safeParse(message.data.params ?? {})
  if (!params.success) return fail(id, { code: 'invalid', ...describeZodError(params.error, 'params') })
  try {
    const handler = studio.handlers[method] as (p: unknown) => unknown
    return { id, ok: true, result: await handler(params.data) }
  } catch (error) {
    if (error instanceof StudioError) {
      return fail(id, { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) })
    }
    if (error instanceof z.ZodError) return fail(id, { code: 'invalid', ...describeZodError(error, '') })
    return fail(id, { code: 'failed', message: error instanceof Error ? error.message : String(error) })
  }
}

const fail = (id: number | null, error: ApiError): ResponseMessage => ({ id, ok: false, error })
