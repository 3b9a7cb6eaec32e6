/**
 * Electron's security checklist, asserted without Electron: the window's webPreferences and the CSP
 * (src/main/security.ts has no electron import), the sender check, and what src/main/index.ts does
 * with them (read as text: it cannot be imported without Electron).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_URL, CONTENT_SECURITY_POLICY, WEB_PREFERENCES, devContentSecurityPolicy, isTrustedSenderUrl, webPreferences } from '../../../src/main/security';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('the window', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, web security on', () => {
    const prefs = webPreferences('/app/out/preload/index.cjs');
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(Object.isFrozen(WEB_PREFERENCES)).toBe(true);
  });

  it('loads the renderer from app://, not file://', () => {
    expect(APP_URL).toBe('app://latentscape/index.html');
    const main = readFileSync('src/main/index.ts', 'utf8');
    expect(main).toContain('webPreferences: webPreferences(');
    expect(main).toContain('win.loadURL(devServerUrl ?? APP_URL)');
    expect(main).not.toMatch(/loadFile|file:\/\//);
  });

  it('denies navigation, new windows, webviews and permission requests; one instance only', () => {
    const main = readFileSync('src/main/index.ts', 'utf8');
    expect(main).toMatch(/'will-navigate', \(e\) => e\.preventDefault\(\)/);
    expect(main).toMatch(/'will-attach-webview', \(e\) => e\.preventDefault\(\)/);
    expect(main).toMatch(/setWindowOpenHandler\([^]*?return \{ action: 'deny' \}/);
    expect(main).toContain('setPermissionRequestHandler((_wc, _permission, callback) => callback(false))');
    expect(main).toContain('requestSingleInstanceLock()');
  });
});

describe('the Content-Security-Policy', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it('allows only our own scripts and styles: no inline code, no eval', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('forbids plugins, framing, base and form targets', () => {
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });

  it('is sent with every app:// response', () => {
    const protocol = readFileSync('src/main/protocol.ts', 'utf8');
    expect(protocol).toContain("'Content-Security-Policy': CONTENT_SECURITY_POLICY");
  });

  it('loosens styles only for the dev server', () => {
    const dev = devContentSecurityPolicy('http://localhost:5173');
    expect(dev).toContain("style-src 'self' 'unsafe-inline'");
    expect(dev).toContain('ws://localhost:5173');
    expect(dev).not.toContain('unsafe-eval');
  });
});

describe('IPC senders', () => {
  it('trusts only our app:// page (and the dev server when there is one)', () => {
    expect(isTrustedSenderUrl('app://latentscape/index.html')).toBe(true);
    expect(isTrustedSenderUrl('app://latentscape/')).toBe(true);
    for (const url of ['app://evil/index.html', 'file:///work/out/renderer/index.html', 'https://latentscape.example/', 'http://localhost:5173/', '', null, undefined, 'not a url']) {
      expect(isTrustedSenderUrl(url), String(url)).toBe(false);
    }
    expect(isTrustedSenderUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });

  it('every IPC call is sender-checked and schema-parsed', () => {
    const ipc = readFileSync('src/main/ipc/index.ts', 'utf8');
    expect(ipc).toMatch(/ipcMain\.handle\(IPC_CALL, async \(event[^]*?if \(!trusted\(event\.senderFrame, devServerUrl\)\)[^]*?return dispatch\(handlers, method, args\)/);
    expect(ipc).toMatch(/ipcMain\.on\(IPC_DROP, \(event[^]*?if \(!trusted\(event\.senderFrame, devServerUrl\)\) return;[^]*?DroppedPaths\.safeParse/);
  });
});
