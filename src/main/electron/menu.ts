// A minimal application menu: open a project folder, quit, and the standard Edit/View/Window menus (without an Edit
// menu, copy and paste shortcuts do nothing in text fields on macOS).
import { type BrowserWindow, dialog, Menu, type MenuItemConstructorOptions, type MessageBoxOptions, type OpenDialogOptions } from 'electron'
import fs from 'node:fs'
import path from 'node:path'
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
  try {
    await studio.openProject(dir, { create })
  } catch (error) {
    dialog.showErrorBox('Cannot open the project', error instanceof Error ? error.message : String(error))
  }
}
