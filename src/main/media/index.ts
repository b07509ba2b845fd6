export { BadPhotoError, DEFAULT_LIMITS, PHOTO_EXTENSIONS, THUMBNAIL_SIZE, looksLikePhoto, readPhoto } from './photo.js'
export type { Photo, PhotoLimits } from './photo.js'
export { THUMBNAIL_DIR, ThumbnailCache } from './thumbnails.js'
