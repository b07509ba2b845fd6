// What every format module provides, so import, export and detection treat them alike.
import fs from 'node:fs/promises'
import type { FormatName, LabelSet, Origin, OutputFile, SizedLabelSet } from './label-set.js'
import { LabelFileError } from './label-set.js'

/** The image folder labels refer to, as a format's loader sees it. */
export interface ImageFolder {
  dir: string
  /** Photo files under `dir`, relative and `/`-separated (YOLO finds an image by its label file's name). */
  photos(): Promise<string[]>
}

export interface LabelFormat {
  name: FormatName
  /** Read the labels at `labelsPath` (a file, or for the one-file-per-image formats also a folder) into a LabelSet. */
  load(labelsPath: string, folder: ImageFolder): Promise<LabelSet>
  write(set: SizedLabelSet): OutputFile[]
  /** Among the files `write` produces, what to pass back to `load` ('.' for the export folder itself). */
  written: string
}

/** A label file's text, or a LabelFileError naming it when it cannot be read. */
export async function readLabelFile(file: string): Promise<string> {
  return (await readLabelBytes(file)).toString('utf8')
}

export async function readLabelBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message
    throw new LabelFileError({ file } satisfies Origin, reason)
  }
}

export async function isFolder(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false
}
