/**
 * The only place the main process touches ipcMain: every call's sender is checked (its frame must
 * be our app:// page), its arguments parsed by the contract's schema (dispatch), and the service's
 * events forwarded to the windows. Dropped folders arrive here from the preload.
 */
import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { AbsolutePath, IPC_CALL, IPC_DROP, IPC_EVENT, describeIssues, type EventData, type EventName, type RpcResult } from '../../shared/contract';
import { dispatch, type Handlers } from '../../service/dispatch';
import type { AppService } from '../../service/service';
import { isTrustedSenderUrl } from '../security';

export interface IpcOptions {
  service: AppService;
  /** The handlers with the Electron-only ones (native dialogs) filled in. */
  handlers: Handlers;
  devServerUrl: string | null;
}

const DroppedPaths = z.array(AbsolutePath).min(1).max(32);

export function trusted(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined, devServerUrl: string | null): boolean {
  // Only the window's own top frame, showing our page, may talk to the app.
  return Boolean(frame && frame.parent === null && isTrustedSenderUrl(frame.url, devServerUrl));
}

export function sendEvent<E extends EventName>(name: E, data: EventData<E>): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, name, data);
  }
}

export function registerIpc({ service, handlers, devServerUrl }: IpcOptions): () => void {
  ipcMain.handle(IPC_CALL, async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<RpcResult<unknown>> => {
    if (!trusted(event.senderFrame, devServerUrl)) {
      return { ok: false, error: { code: 'forbidden', message: 'calls are only accepted from the Latentscape window' } };
    }
    return dispatch(handlers, method, args);
  });

  ipcMain.on(IPC_DROP, (event: IpcMainEvent, raw: unknown) => {
    if (!trusted(event.senderFrame, devServerUrl)) return;
    const parsed = DroppedPaths.safeParse(raw);
    if (!parsed.success) {
      service.notice('error', `the dropped items cannot be opened: ${describeIssues(parsed.error)}`);
      return;
    }
    void (async () => {
      // A drop is the user choosing: the dropped folders become allowed roots.
      for (const path of parsed.data) {
        const info = await stat(path).catch(() => null);
        if (!info?.isDirectory()) continue;
        await service.paths.add(path);
        await service.openDataset({ kind: 'folder', path });
        return;
      }
      service.notice('warning', 'drop a folder of images to open it as a dataset');
    })().catch((err: Error) => service.notice('error', err.message));
  });

  const unsubscribe = service.on((name, data) => sendEvent(name, data as never));
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeAllListeners(IPC_DROP);
  };
}
