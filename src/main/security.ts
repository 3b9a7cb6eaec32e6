/**
 * Electron's security checklist as data, in a module with no electron import so a unit test can
 * assert it: the window's webPreferences, the Content-Security-Policy, the app:// origin that IPC
 * senders must come from.
 */
import { contentSecurityPolicy } from '../shared/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'latentscape';
/** The renderer is served from here instead of file:// (see protocol.ts). */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Every BrowserWindow gets exactly these (plus the preload path). */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const);

export function webPreferences(preload: string): typeof WEB_PREFERENCES & { preload: string } {
  return { ...WEB_PREFERENCES, preload };
}

/** The production CSP, sent with every app:// response. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * electron-vite's dev server (npm start) needs its HMR socket and injects styles: a looser policy
 * that is only used when the renderer comes from that server, never in a built app.
 */
export function devContentSecurityPolicy(devServerUrl: string): string {
  const u = new URL(devServerUrl);
  return contentSecurityPolicy([`ws://${u.host}`, u.origin]).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}

/**
 * Whether an IPC message comes from our own page: the app:// origin, or (development only) the
 * electron-vite dev server's origin.
 */
export function isTrustedSenderUrl(url: string | undefined | null, devServerUrl?: string | null): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // Custom schemes have an opaque origin in WHATWG URL: compare scheme and host.
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true;
  if (devServerUrl) {
    try {
      return u.origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}
