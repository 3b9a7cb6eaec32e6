/// <reference lib="dom" />
/**
 * The preload (sandboxed, built as CommonJS): exposes one function per contract call and one
 * subscription per event through contextBridge — never ipcRenderer itself. Dropped folders are
 * turned into paths here (webUtils) and handed to the main process, which treats them as chosen.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, EVENT_NAMES, IPC_CALL, IPC_DROP, IPC_EVENT } from '../shared/names';

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENT, (_event, name: string, data: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(data);
});

const call = Object.freeze(Object.fromEntries(CALL_NAMES.map((name) => [name, (args: unknown) => ipcRenderer.invoke(IPC_CALL, name, args)])));

contextBridge.exposeInMainWorld('latentscape', {
  call,
  on(name: string, listener: Listener): () => void {
    if (!(EVENT_NAMES as readonly string[]).includes(name)) throw new Error(`unknown event "${name}"`);
    if (typeof listener !== 'function') throw new Error('listener must be a function');
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
});

window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  const paths = Array.from(e.dataTransfer?.files ?? [], (f) => webUtils.getPathForFile(f)).filter(Boolean);
  if (paths.length) ipcRenderer.send(IPC_DROP, paths);
});
