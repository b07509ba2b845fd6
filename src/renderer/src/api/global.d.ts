import type { StudioApi } from '../../../shared/api'

declare global {
  interface Window {
    /** The studio API, exposed by the Electron preload; absent in a browser (serve mode). */
    studio?: StudioApi
  }
}
