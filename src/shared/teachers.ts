// Teacher names as users type and pick them: the single teachers, and ensembles of them written `a+b` (fused by
// the union of their boxes thinned by NMS unless another method is named). Pure: the CLI, the API's validation and the Library page's
// teacher select all read the same list and the same rules.

export const SINGLE_TEACHERS = ['ssd-mobilenetv1', 'tiny-face-detector', 'blazeface', 'blazeface-front'] as const
export type SingleTeacher = (typeof SINGLE_TEACHERS)[number]

/** How an ensemble merges its teachers' boxes: weighted box fusion, or the union of all boxes thinned by NMS. */
export const ENSEMBLE_METHODS = ['wbf', 'union-nms'] as const
export type EnsembleMethod = (typeof ENSEMBLE_METHODS)[number]
// Measured (docs/teachers.md): with BlazeFace calibrated to GENKI's tight boxes and SSD MobileNetV1 not, their boxes on
// one face often overlap too little to fuse, so WBF halves their scores and drops faces (dlib recall 0.767); the union
// keeps them (0.977).
export const DEFAULT_ENSEMBLE: EnsembleMethod = 'union-nms'

export interface TeacherSpec {
  /** What is stored on every box as its teacher: the single name, or `ensemble(a+b,method)`. */
  name: string
  members: SingleTeacher[]
  /** Null for a single teacher. */
  method: EnsembleMethod | null
}

const isSingle = (s: string): s is SingleTeacher => (SINGLE_TEACHERS as readonly string[]).includes(s)
const isMethod = (s: string): s is EnsembleMethod => (ENSEMBLE_METHODS as readonly string[]).includes(s)

/**
 * Read a teacher as typed: `blazeface`, `ssd-mobilenetv1+blazeface` (with `method`, default wbf), or the stored form
 * `ensemble(ssd-mobilenetv1+blazeface,union-nms)`. Throws an Error that says what is wrong and what is allowed.
 */
export function parseTeacherSpec(text: string, method?: EnsembleMethod): TeacherSpec {
  let body = text.trim()
  let named: string | undefined
  const stored = /^ensemble\((.+),([a-z-]+)\)$/.exec(body)
  if (stored) {
    body = stored[1]
    named = stored[2]
    if (!isMethod(named)) throw new Error(`unknown ensemble method "${named}": use ${ENSEMBLE_METHODS.join(' or ')}`)
    if (method && method !== named) throw new Error(`teacher "${text}" says ${named} but the ensemble method asked is ${method}`)
  }
  const parts = body.split('+').map((p) => p.trim())
  for (const p of parts) {
    if (!isSingle(p)) throw new Error(`unknown teacher "${p}": use one of ${SINGLE_TEACHERS.join(', ')}, or several joined by +`)
  }
  const members = parts as SingleTeacher[]
  if (new Set(members).size !== members.length) throw new Error(`teacher "${text}" names a teacher twice`)
  if (members.length === 1) {
    if (stored) throw new Error(`an ensemble needs at least two teachers, not "${text}"`)
    return { name: members[0], members, method: null }
  }
  const m = (named as EnsembleMethod | undefined) ?? method ?? DEFAULT_ENSEMBLE
  return { name: `ensemble(${members.join('+')},${m})`, members, method: m }
}

/** Whether `text` reads as a teacher (for validation messages that must not throw). */
export function teacherSpecError(text: string): string | null {
  try {
    parseTeacherSpec(text)
    return null
  } catch (error) {
    return (error as Error).message
  }
}

/** The teachers the Library page offers, the default (kindle/kindler.ts) first: each single one, and two ensembles. */
export const TEACHER_CHOICES: { value: string; label: string }[] = [
  { value: 'blazeface', label: 'BlazeFace (default)' },
  { value: 'ssd-mobilenetv1', label: 'SSD MobileNetV1' },
  { value: 'blazeface-front', label: 'BlazeFace front (selfies)' },
  { value: 'tiny-face-detector', label: 'Tiny Face Detector' },
  { value: 'ensemble(ssd-mobilenetv1+blazeface,wbf)', label: 'SSD MobileNetV1 + BlazeFace, fused (WBF)' },
  { value: 'ensemble(ssd-mobilenetv1+blazeface,union-nms)', label: 'SSD MobileNetV1 + BlazeFace, union (NMS)' },
]
