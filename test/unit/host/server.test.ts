import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../../src/host/server';
import { CALL_NAMES, type EventName, FIRST_GENERATION } from '../../../src/shared/contract';
import type { ContractService, Handlers } from '../../../src/service/dispatch';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';

function fakeService(): ContractService & { emit(name: EventName, data: unknown): void } {
  const listeners = new Set<(n: EventName, d: unknown) => void>();
  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error(`${n} not faked`))])) as unknown as Handlers;
  handlers.decode = async ({ z }) => ({
    count: 1,
    height: 2,
    width: 2,
    channels: 1,
    pixels: new Uint8Array(z.length * 2).fill(7),
    generation: FIRST_GENERATION,
  });
  return {
    handlers,
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(name, data) {
      for (const l of listeners) l(name, data);
    },
  };
}

describe('the serve host', () => {
  let dir: string;
  let host: RunningHost;
  const service = fakeService();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ls-host-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Latentscape</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    host = await startHost({ service, rendererDir: join(dir, 'renderer'), port: 0 });
  });
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = (): string => `http://127.0.0.1:${host.port}`;

  it('listens on loopback only by default, with a random token in its URL', () => {
    expect(host.host).toBe('127.0.0.1');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses HTTP requests without the token or with a wrong one', async () => {
    for (const path of [
      '/',
      '/assets/app.js',
      '/?token=',
      `/?token=${host.token.slice(0, -1)}${host.token.endsWith('x') ? 'y' : 'x'}`,
      `/?token=${host.token}extra`,
    ]) {
      const res = await fetch(base() + path);
      expect(res.status, path).toBe(401);
    }
    const wrongCookie = await fetch(base() + '/assets/app.js', { headers: { cookie: 'latentscape_token=nope' } });
    expect(wrongCookie.status).toBe(401);
  });

  it('serves the renderer with the token, sets a cookie for its assets, and sends the CSP', async () => {
    const res = await fetch(`${base()}/?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Latentscape</title>');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await fetch(`${base()}/assets/app.js`, { headers: { cookie: cookie.split(';')[0] } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt']) {
      const res = await fetch(`${base()}${path}${path.includes('?') ? '&' : '?'}token=${host.token}`);
      expect(res.status, path).toBe(404);
    }
    // A raw request, not normalised by a URL parser on the way.
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: `/../secret.txt?token=${host.token}` }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end();
    });
    expect(status).toBe(404);
  });

  function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket } | { status: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once('error', () => resolve({ status: -1 }));
    });
  }

  it('refuses WebSocket connections without the right token or from another origin', async () => {
    const ws = `ws://127.0.0.1:${host.port}/ws`;
    expect(await connect(ws)).toEqual({ status: 401 });
    expect(await connect(`${ws}?token=wrong`)).toEqual({ status: 401 });
    expect(await connect(`${ws}?token=${host.token}`, { Origin: 'http://evil.example' })).toEqual({ status: 401 });
    expect(await connect(`ws://127.0.0.1:${host.port}/elsewhere?token=${host.token}`)).toEqual({ status: 401 });
  });

  it('carries the contract over binary frames, validated by the same schemas, and forwards events', async () => {
    const r = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    if (!('ws' in r)) throw new Error(`refused: ${r.status}`);
    const { ws } = r;
    const inbox: ServerMessage[] = [];
    ws.on('message', (data) => inbox.push(decodeFrame(data as Buffer) as ServerMessage));
    const next = async (pred: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
      const end = Date.now() + 5000;
      for (;;) {
        const i = inbox.findIndex(pred);
        if (i >= 0) return inbox.splice(i, 1)[0];
        if (Date.now() > end) throw new Error('no message');
        await new Promise((res) => setTimeout(res, 5));
      }
    };
    ws.send(encodeFrame({ kind: 'call', id: 1, method: 'decode', args: { z: new Float32Array([1, 2]) } }));
    const ok = await next((m) => m.kind === 'result' && m.id === 1);
    expect(ok).toMatchObject({ ok: true, value: { count: 1 } });
    if (ok.kind === 'result' && ok.ok) expect((ok.value as { pixels: Uint8Array }).pixels).toBeInstanceOf(Uint8Array);

    ws.send(encodeFrame({ kind: 'call', id: 2, method: 'decode', args: { z: [1, 2] } }));
    expect(await next((m) => m.kind === 'result' && m.id === 2)).toMatchObject({
      ok: false,
      error: { code: 'bad-arguments', message: expect.stringContaining('expected a Float32Array') },
    });

    ws.send(encodeFrame({ kind: 'call', id: 3, method: 'decode', args: { z: new Float32Array(2), more: 1 } }));
    expect(await next((m) => m.kind === 'result' && m.id === 3)).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });

    ws.send(encodeFrame({ kind: 'call', id: 4, method: 'rm -rf', args: {} }));
    expect(await next((m) => m.kind === 'result' && m.id === 4)).toMatchObject({ ok: false, error: { code: 'unknown-call' } });

    service.emit('notice', { level: 'info', message: 'hello' });
    expect(await next((m) => m.kind === 'event')).toEqual({ kind: 'event', name: 'notice', data: { level: 'info', message: 'hello' } });

    // Text frames are not part of the protocol: the socket closes.
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    ws.send('{"kind":"call"}');
    expect(await closed).toBe(1003);
  });

  it('can be told to listen elsewhere, and says clearly when the renderer is not built', async () => {
    await expect(startHost({ service, rendererDir: join(dir, 'missing') })).rejects.toThrow('the renderer is not built');
  });
});
