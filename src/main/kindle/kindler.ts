// One thread's kindling: a teacher (and the smile scorer if asked), and the work on one photo — decode, detect (with
// zoom-out), score smiles, map back to the photo's frame. Runs on the main thread or in a kindling worker alike.
import { faceExpressionScorer } from './smile.js'
import { TINY_FACE_VERSION, tinyFaceTeacher } from './tiny-face.js'
import { SSD_MOBILENETV1_VERSION, ssdMobilenetV1Teacher } from './ssd-mobilenet.js'
import { detectFaces, readPixels, type FaceBox, type SmileScorer, type Teacher, type ZoomOutWhen } from './teachers.js'

export const TEACHERS = {
  'ssd-mobilenetv1': { version: SSD_MOBILENETV1_VERSION, create: ssdMobilenetV1Teacher },
  'tiny-face-detector': { version: TINY_FACE_VERSION, create: tinyFaceTeacher },
} as const
export type TeacherName = keyof typeof TEACHERS
export const TEACHER_NAMES = Object.keys(TEACHERS) as TeacherName[]
export const DEFAULT_TEACHER: TeacherName = 'ssd-mobilenetv1'

export function isTeacherName(name: string): name is TeacherName {
  return Object.hasOwn(TEACHERS, name)
}

export function createTeacher(name: string): Promise<Teacher> {
  if (!isTeacherName(name)) throw new Error(`unknown teacher "${name}": use one of ${TEACHER_NAMES.join(', ')}`)
  return TEACHERS[name].create()
}

export interface KindleSettings {
  teacher: TeacherName
  minScore: number
  smile: boolean
  /** Zoom-out padding, a fraction of the photo's size; 0 turns it off. */
  zoomOut: number
  zoomOutWhen: ZoomOutWhen
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
    const smile = settings.smile ? await faceExpressionScorer() : null
    return new Kindler(teacher, smile, settings)
  }

  get smileScorer(): { name: string; version: string } | null {
    return this.smile && { name: this.smile.name, version: this.smile.version }
  }

  async kindle(file: string): Promise<KindledFace[]> {
    const pixels = await readPixels(file)
    const faces = await detectFaces(this.teacher, pixels, this.settings)
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
