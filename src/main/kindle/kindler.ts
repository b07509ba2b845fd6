// One thread's kindling: a teacher (and the smile scorer if asked), and the work on one photo — decode, detect (with
// zoom-out), score smiles, map back to the photo's frame. Runs on the main thread or in a kindling worker alike.
import { parseTeacherSpec, SINGLE_TEACHERS, type SingleTeacher, type TeacherSpec } from '../../shared/teachers.js'
import { blazeFaceTeacher, blazeFaceVersion } from './blazeface.js'
import { ensembleTeacher, ensembleVersion } from './ensemble.js'
import { faceExpressionScorer } from './smile.js'
import { TINY_FACE_VERSION, TINY_INPUT_SIZE, tinyFaceTeacher } from './tiny-face.js'
import { SSD_MOBILENETV1_VERSION, ssdMobilenetV1Teacher } from './ssd-mobilenet.js'
import { detectFaces, readPixels, type FaceBox, type SmileScorer, type Teacher, type Tiles, type ZoomOutWhen } from './teachers.js'

/**
 * The single teachers: name → version (stored on every box), the side of the square the model sees (tiling compares
 * photos with it) and how to load it on this thread.
 */
/**
 * Each teacher: its version, input side, how to load it, and `smileCrop` — the square the face-expression net sees, as
 * a multiple of the teacher's box (smile.ts). face-api's own detectors draw the loose boxes the net was trained on (1);
 * BlazeFace's boxes are calibrated to GENKI's tight ones, so the net needs 1.3× of them (`bench -- kindle-smile`).
 */
export const TEACHERS: Record<SingleTeacher, { version: string; inputSize: number; smileCrop: number; create: () => Promise<Teacher> }> = {
  'ssd-mobilenetv1': { version: SSD_MOBILENETV1_VERSION, inputSize: 512, smileCrop: 1, create: ssdMobilenetV1Teacher },
  'tiny-face-detector': { version: TINY_FACE_VERSION, inputSize: TINY_INPUT_SIZE, smileCrop: 1, create: tinyFaceTeacher },
  blazeface: { version: blazeFaceVersion('back'), inputSize: 256, smileCrop: 1.3, create: () => blazeFaceTeacher('back') },
  'blazeface-front': { version: blazeFaceVersion('front'), inputSize: 128, smileCrop: 1.3, create: () => blazeFaceTeacher('front') },
}
export type TeacherName = SingleTeacher
export const TEACHER_NAMES = SINGLE_TEACHERS
/**
 * BlazeFace by default: in `npm run bench -- teachers` (its box calibration fitted on GENKI-SZSL train, so both sets
 * held out) it beats SSD MobileNetV1 on GENKI-SZSL val (recall 0.978 vs 0.886, precision 0.981 vs 0.924; 1 photo with
 * no face vs 27), trails it on dlib-faces (recall 0.907 vs 0.977, precision 0.93 vs 1.00), and kindles many times as
 * many photos a second (docs/teachers.md).
 */
export const DEFAULT_TEACHER: TeacherName = 'blazeface'

export function isTeacherName(name: string): name is TeacherName {
  return Object.hasOwn(TEACHERS, name)
}

/** The version a teacher (single or ensemble, as parsed) stores on its boxes, known without loading any model. */
export function teacherVersion(spec: TeacherSpec): string {
  if (!spec.method) return TEACHERS[spec.members[0]].version
  return ensembleVersion(
    spec.members.map((m) => ({ name: m, version: TEACHERS[m].version })),
    spec.method,
  )
}

/** The smile crop for a teacher's boxes (single or ensemble, as parsed): an ensemble's boxes fuse its members', so the mean. */
export function teacherSmileCrop(spec: TeacherSpec): number {
  return spec.members.reduce((sum, m) => sum + TEACHERS[m].smileCrop, 0) / spec.members.length
}

/** The input side of a teacher (single or ensemble, as parsed): an ensemble's largest member's. */
export function teacherInputSize(spec: TeacherSpec): number {
  return Math.max(...spec.members.map((m) => TEACHERS[m].inputSize))
}

/** Load a teacher by name: `blazeface`, or an ensemble such as `ensemble(ssd-mobilenetv1+blazeface,wbf)`. */
export async function createTeacher(name: string): Promise<Teacher> {
  const spec = parseTeacherSpec(name)
  if (!spec.method) return TEACHERS[spec.members[0]].create()
  const members: Teacher[] = []
  for (const m of spec.members) members.push(await TEACHERS[m].create())
  return ensembleTeacher(spec.name, members, spec.method)
}

export interface KindleSettings {
  /** A teacher's stored name (single, or `ensemble(…)`: `parseTeacherSpec(…).name`). */
  teacher: string
  minScore: number
  smile: boolean
  /** Zoom-out padding, a fraction of the photo's size; 0 turns it off. */
  zoomOut: number
  zoomOutWhen: ZoomOutWhen
  /** Tiled kindling for small faces in big photos (teachers.ts, `Tiles`). */
  tiles: Tiles
}

/** A kindled face in the photo's frame, with its smile score when asked. */
export interface KindledFace extends FaceBox {
  happy?: number
}

export class Kindler {
  private constructor(
    readonly teacher: Teacher,
    private readonly smile: SmileScorer | null,
    readonly settings: KindleSettings,
  ) {}

  /** Load the models (call after `initEngine()` on this thread). */
  static async create(settings: KindleSettings): Promise<Kindler> {
    const teacher = await createTeacher(settings.teacher)
    const smile = settings.smile
      ? await faceExpressionScorer({ scale: teacherSmileCrop(parseTeacherSpec(settings.teacher)), mirror: true })
      : null
    return new Kindler(teacher, smile, settings)
  }

  get smileScorer(): { name: string; version: string } | null {
    return this.smile && { name: this.smile.name, version: this.smile.version }
  }

  async kindle(file: string): Promise<KindledFace[]> {
    const pixels = await readPixels(file)
    const inputSize = teacherInputSize(parseTeacherSpec(this.settings.teacher))
    const faces = await detectFaces(this.teacher, pixels, { ...this.settings, inputSize })
    const happy = this.smile ? await this.smile.happiness(pixels, faces) : null
    const s = pixels.scale
    return faces.map((f, i) => ({
      x: f.x * s,
      y: f.y * s,
      w: f.w * s,
      h: f.h * s,
      score: f.score,
      ...(happy ? { happy: happy[i] } : {}),
    }))
  }
}
