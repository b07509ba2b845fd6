export { DB_FILE, Store } from './store.js'
export type { Box, BoxChange, BoxSource, Edit, ImageRow, NewBox, NewImage } from './store.js'
export { latestVersion, migrate, migrations } from './migrations.js'
