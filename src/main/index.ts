/**
 * Electron's main process: a thin shell. One instance, one secure window (see security.ts) showing
 * the renderer from app://, the service (which owns the engine utilityProcess), IPC, menus, dialogs.
 */
import { BrowserWindow, app, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppService } from '../service/service';
import { appPaths, devServerUrl as devServerUrlOf } from './app-paths';
import { choosePath } from './dialogs';
import { forkUtilityEngine } from './utility-engine';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { guardSession, guardWebContents, mainWindowOptions, startUrl } from './security';

const paths = appPaths({
  isPackaged: app.isPackaged,
  appPath: app.getAppPath(),
  resourcesPath: process.resourcesPath,
  mainDir: dirname(fileURLToPath(import.meta.url)),
});
const devServerUrl = devServerUrlOf(app.isPackaged, process.env);

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let service: AppService | null = null;

  const createWindow = (): BrowserWindow => {
    const win = new BrowserWindow(mainWindowOptions(paths.preload));
    win.once('ready-to-show', () => win.show());
    void win.loadURL(startUrl(devServerUrl));
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    return win;
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Navigation, new windows and <webview> are denied everywhere; only allow-listed links open in the browser.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, (url) => shell.openExternal(url)));

  void app.whenReady().then(async () => {
    guardSession(session.defaultSession, devServerUrl);
    handleAppProtocol(paths.rendererDir);

    const defaultModel = paths.defaultModelDir;
    const dataDir = process.env.LATENTSCAPE_DATA_DIR;
    service = new AppService({
      dataDir: dataDir || join(app.getPath('userData'), 'data'),
      // Saves default into the OS pictures folder; a data dir given for tests keeps them inside it.
      ...(dataDir ? {} : { exportsDir: join(app.getPath('pictures'), 'Latentscape') }),
      spawnEngine: () => forkUtilityEngine(paths.engineEntry),
      defaultModelDir: existsSync(defaultModel) ? defaultModel : null,
      pathHint: 'open it with File › Open Folder… or drop it on the window',
      nativeDialogs: true,
      exposeEnginePid: process.env.LATENTSCAPE_EXPOSE_ENGINE_PID === '1',
    });
    const svc = service;
    registerIpc({
      service: svc,
      devServerUrl,
      handlers: {
        ...svc.handlers,
        choosePath: async ({ purpose, defaultName }) => ({ path: await choosePath(svc, purpose, defaultName), supported: true }),
      },
    });
    buildMenu(svc, Boolean(devServerUrl));
    mainWindow = createWindow();
    svc.start().catch((err: Error) => svc.notice('error', `the engine failed to start: ${err.message}`));

    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void service?.stop();
  });
}
