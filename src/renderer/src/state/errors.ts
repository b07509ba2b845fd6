// Errors from the studio, as the UI shows them: next to the field they name, in the user's words.

/** `params.dir: …` — how a message names its field when the transport could not carry it separately (Electron's
 * context bridge copies only an Error's message). */
const FIELD_PREFIX = /^(params(?:\.[\w-]+)+): /

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The field a failed request names (`params.dir`), if any. */
export function errorField(error: unknown): string | undefined {
  const field = (error as { field?: unknown } | null | undefined)?.field
  if (typeof field === 'string') return field
  return FIELD_PREFIX.exec(errorMessage(error))?.[1]
}

/**
 * The message to show next to `field`, or null when the error is about something else. The field's name is dropped
 * from the front ("params.dir: must not be empty" → "Must not be empty"): the message sits next to the field.
 */
export function messageForField(error: unknown, field: string): string | null {
  if (error === null || error === undefined || errorField(error) !== field) return null
  const message = errorMessage(error)
  return sentence(message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message)
}

/** The message to show for the form as a whole: only errors that name none of the form's fields. */
export function messageForForm(error: unknown, fields: string[]): string | null {
  if (error === null || error === undefined) return null
  const field = errorField(error)
  return field !== undefined && fields.includes(field) ? null : sentence(errorMessage(error))
}

const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1)
