/** The native menu: Open folder…, Open/Save project, Export…, and the platform's usual items. */
import { Menu, app, type MenuItemConstructorOptions } from 'electron';
import type { AppService } from '../service/service';
import { choosePath } from './dialogs';
import { sendEvent } from './ipc';

export function buildMenu(service: AppService, isDev: boolean): void {
  const report = (err: Error): void => service.notice('error', err.message);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: () =>
            void choosePath(service, 'dataset')
              .then((path) => (path ? service.openDataset({ kind: 'folder', path }) : null))
              .catch(report),
        },
        // The page saves and opens projects (it holds the view and paths, and shows what it restored).
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+Shift+O', click: () => sendEvent('menu', { action: 'project-open' }) },
        { label: 'Save Project…', accelerator: 'CmdOrCtrl+S', click: () => sendEvent('menu', { action: 'project-save' }) },
        { type: 'separator' },
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => sendEvent('menu', { action: 'export' }) },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(isDev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  void app;
}
