// Image tags through CSV: GENKI-4K's own genki4k-smile.csv (a subset of its rows, with their photos copied to a temp
// folder) imported with its `smile` column as the tag `smiling`, exported, and imported into a second project, which
// then has the same tags; and every bad file refused naming its line, with nothing tagged.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportTags, importTags, LabelFileError } from '../../../src/main/formats/index.js'
import { Studio } from '../../../src/main/studio.js'
import type { Store } from '../../../src/main/store/index.js'
import { datasets, genkiImages, repoRoot, tempDir } from '../../helpers/fixtures.js'

const GENKI_CSV = path.join(datasets, 'genki', 'genki4k-smile.csv')
const ROWS = 24

let home: string | undefined
beforeAll(() => {
  home = process.env.KINDLING_HOME
  process.env.KINDLING_HOME = tempDir('kindling-home-')
})
const studios: Studio[] = []
afterAll(async () => {
  for (const s of studios) await s.close()
  if (home === undefined) delete process.env.KINDLING_HOME
  else process.env.KINDLING_HOME = home
})

/** A folder with the photos of GENKI-4K's first `ROWS` rows and those rows of its CSV (header included). */
function genkiSubset(): { photos: string; csv: string; rows: { file: string; smile: boolean }[] } {
  const root = tempDir('kindling-tags-')
  const photos = path.join(root, 'photos')
  fs.mkdirSync(photos)
  const lines = fs
    .readFileSync(GENKI_CSV, 'utf8')
    .split(/\r?\n/)
    .slice(0, ROWS + 1)
  const rows = lines.slice(1).map((l) => ({ file: l.split(',')[0], smile: l.split(',')[1] === '1' }))
  for (const r of rows) fs.copyFileSync(path.join(genkiImages, r.file), path.join(photos, r.file))
  const csv = path.join(root, 'genki4k-smile.csv')
  fs.writeFileSync(csv, lines.join('\n') + '\n')
  return { photos, csv, rows }
}

async function projectWithPhotos(photos: string): Promise<Store> {
  const studio = new Studio()
  studios.push(studio)
  await studio.openProject(tempDir('kindling-project-'), { create: true })
  expect((await studio.importFolder(photos).finished).state).toBe('done')
  return studio.project!
}

/** Every photo's tags as `file: name=value/source`, sorted. */
function tagsOf(store: Store): string[] {
  return store
    .page({ sort: 'name', offset: 0, limit: 1000 })
    .items.flatMap((i) => store.tags(i.id).map((t) => `${i.name}: ${t.name}=${t.value}/${t.source}`))
}

const tagRows = (store: Store) => store.db.prepare('SELECT count(*) AS n FROM tags').get()

describe('tags CSV', () => {
  it('imports GENKI-4K’s smile column as "smiling", exports it, and imports the export into another project unchanged', async () => {
    const { photos, csv, rows } = genkiSubset()
    const store = await projectWithPhotos(photos)
    const imported = await importTags(store, { csvFile: csv, imagesDir: photos, columns: new Map([['smile', 'smiling']]) })
    const smiling = rows.filter((r) => r.smile).length
    expect(imported).toEqual({ names: ['smiling'], photos: ROWS, tags: ROWS, set: smiling, repeated: 0 })
    expect(smiling).toBeGreaterThan(0)
    expect(tagsOf(store)).toEqual(rows.map((r) => `${r.file}: smiling=${r.smile}/imported`).sort())
    expect(store.page({ tag: { name: 'smiling', value: true }, sort: 'name', offset: 0, limit: 100 }).total).toBe(smiling)

    // A person's say is exported over the imported value.
    const first = store.page({ sort: 'name', offset: 0, limit: 1 }).items[0]
    store.setTag(first.id, 'smiling', !rows.find((r) => r.file === first.name)!.smile)

    const out = tempDir('kindling-tags-out-')
    const exported = await exportTags(store, { outDir: out })
    expect(exported).toMatchObject({ imageRoot: photos, names: ['smiling'], photos: ROWS, tags: ROWS })
    const text = fs.readFileSync(exported.file, 'utf8')
    expect(text.split('\n')[0]).toBe('file,smiling')

    const again = await projectWithPhotos(photos)
    expect(await importTags(again, { csvFile: exported.file, imagesDir: exported.imageRoot })).toMatchObject({ tags: ROWS })
    expect(tagsOf(again)).toEqual(tagsOf(store).map((t) => t.replace('/human', '/imported')))
    expect(tagsOf(again).filter((t) => t.startsWith(first.name))).toEqual([
      `${first.name}: smiling=${!rows.find((r) => r.file === first.name)!.smile}/imported`,
    ])

    // Importing the same file twice changes nothing.
    await importTags(again, { csvFile: exported.file, imagesDir: exported.imageRoot })
    expect(tagRows(again)).toEqual({ n: ROWS })
  })

  const bad: { name: string; edit: (lines: string[]) => string[]; columns?: [string, string][]; message: string }[] = [
    {
      name: 'a value that is not 1 or 0',
      edit: (l) => l.map((x, i) => (i === 5 ? x.replace(/,1,|,0,/, ',maybe,') : x)),
      columns: [['smile', 'smiling']],
      message: 'genki4k-smile.csv:6: column "smile": expected 1 or 0 (true/false, yes/no, or empty), got "maybe"',
    },
    {
      name: 'a row with a field missing',
      edit: (l) => l.map((x, i) => (i === 9 ? x.split(',').slice(0, 4).join(',') : x)),
      columns: [['smile', 'smiling']],
      message: 'genki4k-smile.csv:10: expected 6 fields as in the header, got 4',
    },
    {
      name: 'a photo the project has not got',
      edit: (l) => [...l.slice(0, 12), 'file9999999999999999.jpg,1,0,0,0,train', ...l.slice(12)],
      columns: [['smile', 'smiling']],
      message: 'genki4k-smile.csv:13: no photo "file9999999999999999.jpg" in the project',
    },
    {
      name: 'a path out of the image folder',
      edit: (l) => [...l, '../elsewhere.jpg,1,0,0,0,train'],
      columns: [['smile', 'smiling']],
      message: `genki4k-smile.csv:${ROWS + 2}: "../elsewhere.jpg" must be relative to the image folder, inside it`,
    },
    {
      name: 'the same photo twice, smiling and not',
      edit: (l) => [...l, l[3].replace(/^([^,]+),1,/, '$1,0,').replace(/^([^,]+),0,(?=.*,0,)/, '$1,1,')],
      columns: [['smile', 'smiling']],
      message: `genki4k-smile.csv:${ROWS + 2}: "${'file0000000000000003.jpg'}" is the photo of line 4`,
    },
    {
      name: 'non-tag columns without --tag-columns',
      edit: (l) => l,
      message: 'genki4k-smile.csv:2: column "yaw": expected 1 or 0',
    },
    {
      name: 'a tag column the header does not have',
      edit: (l) => l,
      columns: [['smiles', 'smiling']],
      message: 'genki4k-smile.csv:1: no column "smiles"',
    },
  ]

  it.each(bad)('refuses $name, naming the line, and tags nothing', async ({ edit, columns, message }) => {
    const { photos, csv } = genkiSubset()
    fs.writeFileSync(csv, edit(fs.readFileSync(csv, 'utf8').trimEnd().split('\n')).join('\n') + '\n')
    const store = await projectWithPhotos(photos)
    const attempt = importTags(store, { csvFile: csv, imagesDir: photos, columns: columns && new Map(columns) })
    await expect(attempt).rejects.toThrow(LabelFileError)
    await expect(attempt).rejects.toThrow(message)
    expect(tagRows(store)).toEqual({ n: 0 })
  })

  it('through the CLI: import --tags with --tag-columns, a malformed file refused before any photo goes in, export --format tags-csv', async () => {
    const run = async (...args: string[]) => {
      try {
        const env = { ...process.env, KINDLING_HOME: tempDir('kindling-home-') }
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/kindling.js'), ...args], { env })
        return { code: 0, stdout, stderr }
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string }
        return { code: err.code, stdout: err.stdout, stderr: err.stderr }
      }
    }
    const { photos, csv, rows } = genkiSubset()
    const project = path.join(tempDir('kindling-cli-'), 'project')

    const refused = await run('import', photos, '--tags', csv, '--project', project)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('genki4k-smile.csv:2: column "yaw": expected 1 or 0')
    expect(fs.existsSync(project)).toBe(false) // refused before the project was made or a photo imported
    expect((await run('import', photos, '--tag-columns', 'smile=smiling', '--project', project)).stderr).toContain('--tag-columns needs --tags')

    const imported = await run('import', photos, '--tags', csv, '--tag-columns', 'smile=smiling', '--project', project)
    expect(imported.code).toBe(0)
    const smiling = rows.filter((r) => r.smile).length
    expect(imported.stdout).toContain(`Imported ${ROWS} tag values (smiling) on ${ROWS} photos; ${smiling} set, ${ROWS - smiling} not set`)

    const out = tempDir('kindling-cli-out-')
    const exported = await run('export', '--format', 'tags-csv', '--out', out, '--project', project)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toContain(`import back with: kindling import ${photos} --tags ${path.join(out, 'tags.csv')}`)
    const written = fs.readFileSync(path.join(out, 'tags.csv'), 'utf8').trim().split('\n')
    expect(written[0]).toBe('file,smiling')
    expect(written.slice(1)).toEqual(rows.map((r) => `${r.file},${r.smile ? 1 : 0}`).sort())
  })
})
