export { Job, JobRunner } from './runner.js'
export type { JobContext, JobKind } from './runner.js'
export { findPhotos, importPhotos, splitFor } from './import-photos.js'
export type { ImportOptions } from './import-photos.js'
