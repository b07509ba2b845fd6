export { reviewHandlers, type ReviewHandlers } from './handlers.js'
export { readPhoto, type Photo } from './photo.js'
