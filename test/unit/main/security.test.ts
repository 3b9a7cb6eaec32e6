/**
 * Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item by
 * item, against what the main process really does: the guards, handlers and settings of
 * src/main/security.ts and src/main/ipc are driven with stand-in events, frames, sessions and
 * requests (Electron itself is replaced by a stub module: its binary cannot run here). No source text
 * is matched. Covered elsewhere: 16 (a current Electron) by package.json and the electron e2e setup;
 * 20 (no Electron API exposed to the page) by test/integration/built/built-files.test.ts, which runs the built
 * preload against stand-ins and checks it exposes exactly the contract's calls and events.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  APP_URL,
  CONTENT_SECURITY_POLICY,
  EXTERNAL_LINK_ORIGINS,
  appProtocolResponse,
  devContentSecurityPolicy,
  guardSession,
  guardWebContents,
  isAllowedExternalLink,
  isTrustedSenderUrl,
  mainWindowOptions,
  startUrl,
  type GuardedContents,
  type GuardedSession,
} from '../../../src/main/security';

// The IPC module imports ipcMain and BrowserWindow: a stub that records the handlers it registers.
const ipc = vi.hoisted(() => ({
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  listeners: new Map<string, (...args: unknown[]) => unknown>(),
  sent: [] as unknown[][],
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => ipc.handlers.set(channel, fn),
    on: (channel: string, fn: (...args: unknown[]) => unknown) => ipc.listeners.set(channel, fn),
    removeHandler: (channel: string) => ipc.handlers.delete(channel),
    removeAllListeners: (channel: string) => ipc.listeners.delete(channel),
  },
  BrowserWindow: { getAllWindows: () => [{ isDestroyed: () => false, webContents: { send: (...args: unknown[]) => ipc.sent.push(args) } }] },
}));
const { registerIpc, trusted } = await import('../../../src/main/ipc');
const { IPC_CALL, IPC_DROP } = await import('../../../src/shared/contract');

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

/** A web contents stand-in: records listeners; `fire` emits an event the way Electron would. */
function fakeContents() {
  const listeners = new Map<string, ((e: { preventDefault(): void }, ...rest: unknown[]) => void)[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents: GuardedContents = {
    on: (event, listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
    setWindowOpenHandler: (h) => (openHandler = h),
  };
  return {
    contents,
    /** Emits `event` and says whether some listener prevented it. */
    fire(event: string, ...rest: unknown[]): boolean {
      let prevented = false;
      for (const l of listeners.get(event) ?? []) l({ preventDefault: () => (prevented = true) }, ...rest);
      return prevented;
    },
    open: (url: string) => openHandler!({ url }),
  };
}

function fakeSession() {
  let request: Parameters<GuardedSession['setPermissionRequestHandler']>[0] | null = null;
  let check: ((...args: unknown[]) => boolean) | null = null;
  let headers: Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0] | null = null;
  const session: GuardedSession = {
    setPermissionRequestHandler: (h) => (request = h),
    setPermissionCheckHandler: (h) => (check = h),
    webRequest: { onHeadersReceived: (l) => (headers = l) },
  };
  return {
    session,
    ask: (permission: string) => new Promise<boolean>((resolve) => request!(null, permission, resolve)),
    check: (permission: string) => check!(null, permission, 'app://latentscape', {}),
    headers: (h: Record<string, string[]>) =>
      new Promise<Record<string, string[] | string> | undefined>((resolve) =>
        headers ? headers({ responseHeaders: h }, (r) => resolve(r.responseHeaders)) : resolve(undefined),
      ),
  };
}

const renderer = mkdtempSync(join(tmpdir(), 'ls-app-protocol-'));
mkdirSync(join(renderer, 'assets'));
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Latentscape</title>');
writeFileSync(join(renderer, 'assets', 'app.js'), 'export {}');
writeFileSync(join(renderer, '..', 'ls-secret.txt'), 'secret');
afterAll(() => {
  rmSync(renderer, { recursive: true, force: true });
  rmSync(join(renderer, '..', 'ls-secret.txt'), { force: true });
});
const serve = (url: string) => appProtocolResponse(renderer, url, async (file) => readFileSync(file));

describe('Electron security checklist', () => {
  it('1. only secure content: the window loads our app:// page, never http or file://', () => {
    expect(startUrl(null)).toBe(APP_URL);
    expect(new URL(startUrl(null)).protocol).toBe('app:');
    // The dev server is used only when one is given (electron-vite dev; never in a packaged app: app-paths).
    expect(startUrl('http://localhost:5173')).toBe('http://localhost:5173');
  });

  it('2-4, 6, 8-10. the window: no Node, context isolation, sandbox, web security, no insecure content, no experimental or Blink features', () => {
    const { webPreferences: prefs } = mainWindowOptions('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      contextIsolation: true,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      preload: '/app/out/preload/index.cjs',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });

  it('5. permission requests and checks from the page are denied', async () => {
    const s = fakeSession();
    guardSession(s.session, null);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) {
      expect(await s.ask(permission), permission).toBe(false);
      expect(s.check(permission), permission).toBe(false);
    }
    // No header rewriting outside development.
    expect(await s.headers({})).toBeUndefined();
  });

  it('7. a Content-Security-Policy on every app:// response: own scripts and styles only, no eval, no inline, no plugins or framing', async () => {
    for (const url of ['app://latentscape/index.html', 'app://latentscape/', 'app://latentscape/assets/app.js']) {
      const res = await serve(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('7. (development) the dev server gets the looser dev policy on its responses, and only it', async () => {
    const s = fakeSession();
    guardSession(s.session, 'http://localhost:5173');
    const headers = await s.headers({ 'Content-Type': ['text/html'] });
    expect(headers?.['Content-Type']).toEqual(['text/html']);
    expect(headers?.['Content-Security-Policy']).toEqual([devContentSecurityPolicy('http://localhost:5173')]);
    expect(devContentSecurityPolicy('http://localhost:5173')).not.toContain('unsafe-eval');
  });

  it('11-12. <webview>: the tag is off and any attach is prevented', () => {
    const c = fakeContents();
    guardWebContents(c.contents, () => undefined);
    expect(c.fire('will-attach-webview', { allowpopups: true }, { src: 'https://evil.example' })).toBe(true);
    expect(mainWindowOptions('/p').webPreferences.webviewTag).toBe(false);
  });

  it('13. navigation and redirects are prevented, in the window and its frames', () => {
    const c = fakeContents();
    guardWebContents(c.contents, () => undefined);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) expect(c.fire(event, { url: 'https://evil.example/' }), event).toBe(true);
  });

  it('14-15. new windows are denied; shell.openExternal gets only allow-listed https links (none today)', () => {
    const opened: string[] = [];
    const c = fakeContents();
    guardWebContents(c.contents, (url) => opened.push(url));
    for (const url of [
      'https://evil.example/',
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'app://latentscape/index.html',
    ]) {
      expect(c.open(url), url).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual([]);
    expect(EXTERNAL_LINK_ORIGINS).toEqual([]);

    // With an origin on the list: exactly that origin, over https, without credentials.
    const list = ['https://github.com'];
    const d = fakeContents();
    guardWebContents(d.contents, (url) => opened.push(url), list);
    expect(d.open('https://github.com/some/page')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/some/page']);
    for (const url of ['http://github.com/', 'https://github.com.evil.example/', 'https://user:pw@github.com/', 'https://gist.github.com/', 'not a url']) {
      expect(isAllowedExternalLink(url, list), url).toBe(false);
    }
  });

  it('17. IPC: calls and drops from any frame but our own top-level page are refused before their arguments are read', async () => {
    ipc.handlers.clear();
    ipc.listeners.clear();
    const calls: unknown[] = [];
    const notices: string[] = [];
    const added: string[] = [];
    const service = {
      notice: (_level: string, message: string) => notices.push(message),
      paths: { add: async (p: string) => added.push(p) },
      openDataset: async () => undefined,
      on: () => () => undefined,
    };
    const handlers = { status: async (args: unknown) => (calls.push(args), { fake: true }) } as never;
    const unregister = registerIpc({ service: service as never, handlers, devServerUrl: null });
    const call = ipc.handlers.get(IPC_CALL)!;
    const drop = ipc.listeners.get(IPC_DROP)!;
    const top = { url: 'app://latentscape/index.html', parent: null };
    const foreign = [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///work/out/renderer/index.html', parent: null },
      { url: 'app://evil/index.html', parent: null },
      // Our page inside a frame of another page is not our window.
      { url: 'app://latentscape/index.html', parent: { url: 'https://evil.example/' } },
      null,
    ];
    for (const frame of foreign) {
      expect(await call({ senderFrame: frame }, 'status', {}), JSON.stringify(frame)).toEqual({
        ok: false,
        error: { code: 'forbidden', message: expect.any(String) },
      });
      drop({ senderFrame: frame }, ['/tmp']);
    }
    expect(calls).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(added).toEqual([]);
    expect(notices).toEqual([]);
    // Our page: the call is schema-checked (extra fields refused), then run.
    expect(await call({ senderFrame: top }, 'status', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(calls).toEqual([]);
    expect(trusted(top, null)).toBe(true);
    // The dev server's origin is trusted only when it is the dev server.
    expect(trusted({ url: 'http://localhost:5173/', parent: null }, 'http://localhost:5173')).toBe(true);
    expect(trusted({ url: 'http://localhost:5174/', parent: null }, 'http://localhost:5173')).toBe(false);
    expect(isTrustedSenderUrl('app://latentscape/')).toBe(true);
    unregister();
    expect(ipc.handlers.size + ipc.listeners.size).toBe(0);
  });

  it('18. the custom app:// protocol serves only the renderer folder: 404 outside it or for other hosts, 400 for a malformed escape', async () => {
    expect((await serve('app://latentscape/%E0%A4%A')).status).toBe(400);
    expect((await serve('app://latentscape/%')).status).toBe(400);
    expect((await serve('app://latentscape/a%00b')).status).toBe(400);
    for (const url of [
      'app://latentscape/../ls-secret.txt',
      'app://latentscape/%2e%2e/ls-secret.txt',
      'app://latentscape/assets/..%2f..%2fls-secret.txt',
      'app://evil/index.html',
      'app://latentscape/missing.js',
    ]) {
      const res = await serve(url);
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('19. fuses: the packaged binary cannot run as Node, take NODE_OPTIONS or --inspect, and loads only its checked asar', () => {
    // The values electron-builder flips (test/integration/built/packaged.suite.ts checks them in a built binary).
    const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): { electronFuses: Record<string, boolean> } };
    const fuses = yaml.load(readFileSync('electron-builder.yml', 'utf8')).electronFuses;
    const fuse = (name: string): string => String(fuses[name]);
    expect(fuse('runAsNode')).toBe('false');
    expect(fuse('enableNodeOptionsEnvironmentVariable')).toBe('false');
    expect(fuse('enableNodeCliInspectArguments')).toBe('false');
    expect(fuse('enableEmbeddedAsarIntegrityValidation')).toBe('true');
    expect(fuse('onlyLoadAppFromAsar')).toBe('true');
  });
});
