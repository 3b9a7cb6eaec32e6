import type { LatentscapeBridge } from '../shared/bridge';

declare global {
  interface Window {
    /** Present in Electron (exposed by the preload through contextBridge); absent in the browser. */
    latentscape?: LatentscapeBridge;
  }
}

export {};
