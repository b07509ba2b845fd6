// A minimal application menu: open a project folder or a recent one, quit, and the standard Edit/View/Window menus
// (without an Edit menu, copy and paste shortcuts do nothing in text fields on macOS).
import { type BrowserWindow, dialog, Menu, type MenuItemConstructorOptions, type MessageBoxOptions, type OpenDialogOptions } from 'electron'
import fs from 'node:fs'
import path from 'node:path'
import type { JobProgress } from '../../shared/api.js'
import { DB_FILE } from '../store/index.js'
import type { Studio } from '../studio.js'

export function appMenu(studio: Studio, window: () => BrowserWindow | null): Menu {
  const mac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => void openProject(studio, window()) },
        { label: 'Open Recent', submenu: recentMenu(studio, window) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ]
  return Menu.buildFromTemplate(template)
}

/**
 * The recent projects as the project menu lists them: the open one checked, a missing one greyed. Menus are fixed once
 * built, so main.ts rebuilds the whole menu when the list changes.
 */
function recentMenu(studio: Studio, window: () => BrowserWindow | null): MenuItemConstructorOptions[] {
  const entries = studio.recent.entries()
  if (entries.length === 0) return [{ label: 'No Recent Projects', enabled: false }]
  const open = studio.project?.dir
  return entries.map(({ dir, name, exists }) => ({
    label: exists ? `${name}  —  ${dir}` : `${name}  —  ${dir} (missing)`,
    type: 'radio',
    checked: dir === open,
    enabled: exists,
    click: () => void switchTo(studio, window, dir),
  }))
}

/** Open a recent project, first asking whether to cancel a running job (the studio cancels it on open, keeping its work). */
async function switchTo(studio: Studio, window: () => BrowserWindow | null, dir: string): Promise<void> {
  try {
    if (dir === studio.project?.dir || !(await agreeToCancelJobs(studio, window(), dir))) return
    await studio.openProject(dir)
  } catch (error) {
    dialog.showErrorBox('Cannot open the project', error instanceof Error ? error.message : String(error))
  } finally {
    // A radio item checks itself when clicked: after a declined or failed switch the check must go back.
    Menu.setApplicationMenu(appMenu(studio, window))
  }
}

async function agreeToCancelJobs(studio: Studio, win: BrowserWindow | null, dir: string): Promise<boolean> {
  const running = studio.jobs.running().filter((job) => job.state === 'running')
  if (running.length === 0) return true
  const question: MessageBoxOptions = {
    type: 'warning',
    message: `${running.map(jobName).join(' and ')} ${running.length > 1 ? 'are' : 'is'} running.`,
    detail: `Opening ${path.basename(dir)} cancels it; what it has done so far is kept.`,
    buttons: ['Cancel It and Open', 'Keep Working'],
    defaultId: 1,
    cancelId: 1,
  }
  const answer = win ? await dialog.showMessageBox(win, question) : await dialog.showMessageBox(question)
  return answer.response === 0
}

const JOB_NAMES: Record<JobProgress['kind'], string> = {
  import: 'An import',
  kindle: 'Kindling',
  train: 'A training run',
  predict: 'A prediction',
  export: 'An export',
  evaluate: 'An evaluation',
}
const jobName = (job: JobProgress) => JOB_NAMES[job.kind]

/** The renderer hears of the new project through the studio's `project.changed` event, as for any other open. */
async function openProject(studio: Studio, win: BrowserWindow | null): Promise<void> {
  const options: OpenDialogOptions = { title: 'Open Project', properties: ['openDirectory', 'createDirectory'] }
  const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  const dir = picked.filePaths[0]
  if (picked.canceled || !dir) return
  let create = false
  if (!fs.existsSync(path.join(dir, DB_FILE))) {
    const question: MessageBoxOptions = {
      type: 'question',
      message: `${path.basename(dir)} has no Kindling project yet.`,
      detail: `Create a new project in ${dir}? Photos you import stay where they are.`,
      buttons: ['Create Project', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
    }
    const answer = win ? await dialog.showMessageBox(win, question) : await dialog.showMessageBox(question)
    if (answer.response !== 0) return
    create = true
  }
  if (!(await agreeToCancelJobs(studio, win, dir))) return
  try {
    await studio.openProject(dir, { create })
  } catch (error) {
    dialog.showErrorBox('Cannot open the project', error instanceof Error ? error.message : String(error))
  }
}
