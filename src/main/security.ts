/**
 * Electron's security checklist as data and pure functions, in a module with no electron import so a
 * unit test can drive it with stand-in events, sessions and requests: the window's webPreferences, the
 * Content-Security-Policy, the app:// origin that IPC senders must come from, the navigation, window,
 * webview and permission guards, the external-link allow-list and the app:// request handler.
 * index.ts and protocol.ts only wire these to Electron.
 */
import { extname, normalize, resolve, sep } from 'node:path';
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

/** The window's options (everything but its size is a security setting). */
export function mainWindowOptions(preload: string) {
  return { width: 1280, height: 820, show: false, title: 'Latentscape', backgroundColor: '#14161a', webPreferences: webPreferences(preload) };
}

/** What the window loads: our app:// page, or (development only) the electron-vite dev server. */
export function startUrl(devServerUrl: string | null): string {
  return devServerUrl ?? APP_URL;
}

/**
 * Origins a link may open in the user's browser. The app links to no outside page today, so none:
 * window.open and target=_blank links are denied and nothing is handed to shell.openExternal. A host
 * added here is matched exactly, over https only, without credentials in the URL.
 */
export const EXTERNAL_LINK_ORIGINS: readonly string[] = Object.freeze([]);

export function isAllowedExternalLink(url: string, origins: readonly string[] = EXTERNAL_LINK_ORIGINS): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && !u.username && !u.password && origins.includes(u.origin);
}

// Stand-ins for the few Electron shapes the guards touch (structural, so tests need no Electron).
interface PreventableEvent {
  preventDefault(): void;
}
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview' | 'will-frame-navigate',
    listener: (event: PreventableEvent, ...rest: unknown[]) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}
export interface GuardedSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[] | string> },
        callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void,
      ) => void,
    ): void;
  };
}

/** New windows: denied; an allow-listed https link goes to the user's browser instead. */
export function windowOpenHandler(openExternal: (url: string) => unknown, origins: readonly string[] = EXTERNAL_LINK_ORIGINS) {
  return ({ url }: { url: string }): { action: 'deny' } => {
    if (isAllowedExternalLink(url, origins)) void openExternal(url);
    return { action: 'deny' };
  };
}

/** Every web contents: no navigation (the page is a single page), no redirects, no webviews, no windows. */
export function guardWebContents(contents: GuardedContents, openExternal: (url: string) => unknown, origins: readonly string[] = EXTERNAL_LINK_ORIGINS): void {
  const deny = (event: PreventableEvent): void => event.preventDefault();
  contents.on('will-navigate', deny);
  contents.on('will-frame-navigate', deny);
  contents.on('will-redirect', deny);
  contents.on('will-attach-webview', deny);
  contents.setWindowOpenHandler(windowOpenHandler(openExternal, origins));
}

/** The session: every permission request and check denied; the dev server's responses get the dev CSP. */
export function guardSession(session: GuardedSession, devServerUrl: string | null): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (devServerUrl) {
    const csp = devContentSecurityPolicy(devServerUrl);
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/**
 * Answers an app:// request from the built renderer folder: 404 for another host or a path outside
 * the folder, 400 for a malformed %-escape (decodeURIComponent would throw), the file with the CSP
 * otherwise. `readFile` resolves to the file's body or null when it cannot be read.
 */
export async function appProtocolResponse(rendererDir: string, requestUrl: string, readFile: (file: string) => Promise<BodyInit | null>): Promise<Response> {
  const root = resolve(rendererDir);
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('bad request', { status: 400 });
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404 });
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return new Response('bad request', { status: 400 });
  }
  if (pathname.includes('\0')) return new Response('bad request', { status: 400 });
  const relative = normalize(pathname).replace(/^([/\\])+/, '') || 'index.html';
  const file = resolve(root, relative);
  if (!file.startsWith(root + sep)) return new Response('not found', { status: 404 });
  const body = await readFile(file).catch(() => null);
  if (body === null) return new Response('not found', { status: 404 });
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
