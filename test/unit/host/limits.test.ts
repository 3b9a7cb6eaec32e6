/**
 * The serve host's limits, with real sockets on 127.0.0.1: the Host header (DNS rebinding), the
 * largest frame, the per-call array limits checked before the service sees a call, the connection
 * and in-flight caps, and half-open sockets. Every wait is bounded.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { allowedHostHeaders, startHost, type HostOptions, type RunningHost } from '../../../src/host/server';
import { CALL_NAMES, MAX_CALL_FRAME_BYTES, MAX_DECODE_FLOATS, MAX_LATENT, FIRST_GENERATION } from '../../../src/shared/contract';
import type { ContractService, Handlers } from '../../../src/service/dispatch';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';

type Calls = { decode: number; nearest: number };

function fakeService(calls: Calls, gate?: Promise<void>): ContractService {
  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error(`${n} not faked`))])) as unknown as Handlers;
  handlers.decode = async ({ z }) => {
    calls.decode++;
    if (gate) await gate;
    return { count: 1, height: 1, width: 1, channels: 1, pixels: new Uint8Array(Math.min(z.length, 1)), generation: FIRST_GENERATION };
  };
  handlers.nearest = async () => {
    calls.nearest++;
    return { ids: new Int32Array(1), distances: new Float32Array(1), generation: FIRST_GENERATION };
  };
  return { handlers, on: () => () => undefined };
}

let dir: string;
const hosts: RunningHost[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ls-host-limits-'));
  mkdirSync(join(dir, 'renderer'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Latentscape</title>');
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(service: ContractService, extra: Partial<HostOptions> = {}): Promise<RunningHost> {
  const h = await startHost({ service, rendererDir: join(dir, 'renderer'), port: 0, ...extra });
  hosts.push(h);
  return h;
}

/** GET with a chosen Host header (fetch does not let us set it). */
function get(port: number, path: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

type Opened = { ws: WebSocket; inbox: ServerMessage[] } | { status: number };

function open(port: number, token: string, options: WebSocket.ClientOptions = {}): Promise<Opened> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, options);
    const inbox: ServerMessage[] = [];
    ws.on('message', (data) => inbox.push(decodeFrame(data as Buffer) as ServerMessage));
    const timer = setTimeout(() => resolve({ status: -2 }), 5000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({ ws, inbox });
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0 });
    });
    ws.once('error', () => {
      clearTimeout(timer);
      resolve({ status: -1 });
    });
  });
}

function opened(r: Opened): { ws: WebSocket; inbox: ServerMessage[] } {
  if (!('ws' in r)) throw new Error(`the socket was refused: ${r.status}`);
  return r;
}

async function reply(inbox: ServerMessage[], id: number, ms = 5000): Promise<ServerMessage> {
  const end = Date.now() + ms;
  for (;;) {
    const i = inbox.findIndex((m) => m.kind === 'result' && m.id === id);
    if (i >= 0) return inbox.splice(i, 1)[0];
    if (Date.now() > end) throw new Error(`no reply to call ${id}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const closeCode = (ws: WebSocket, ms = 5000): Promise<number> =>
  new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(-3);
    const timer = setTimeout(() => resolve(-2), ms);
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

describe('the Host header (DNS rebinding)', () => {
  it('answers only the loopback names and the --host value, with our port', () => {
    expect([...allowedHostHeaders('127.0.0.1', 4000)].sort()).toEqual(['127.0.0.1:4000', '[::1]:4000', 'localhost:4000']);
    expect(allowedHostHeaders('192.168.1.5', 4000).has('192.168.1.5:4000')).toBe(true);
    expect(allowedHostHeaders('::1', 4000).has('[::1]:4000')).toBe(true);
  });

  it('refuses HTTP requests and WebSocket upgrades that name another host, even with the token', async () => {
    const calls = { decode: 0, nearest: 0 };
    const h = await start(fakeService(calls));
    const path = `/?token=${h.token}`;
    for (const good of [`127.0.0.1:${h.port}`, `localhost:${h.port}`, `LOCALHOST:${h.port}`, `[::1]:${h.port}`])
      expect(await get(h.port, path, good), good).toBe(200);
    for (const bad of ['evil.example', `evil.example:${h.port}`, `127.0.0.1:${h.port + 1}`, `localhost.evil.example:${h.port}`, `127.0.0.1`]) {
      expect(await get(h.port, path, bad), bad).toBe(421);
    }
    expect(await open(h.port, h.token, { headers: { host: `evil.example:${h.port}` } })).toEqual({ status: 421 });
    const ok = opened(await open(h.port, h.token, { headers: { host: `localhost:${h.port}` } }));
    ok.ws.close();
  });
});

describe('frames and array limits', () => {
  it('closes a socket that sends a frame larger than the largest legitimate call, before any handler runs', async () => {
    const calls = { decode: 0, nearest: 0 };
    const h = await start(fakeService(calls));
    const { ws } = opened(await open(h.port, h.token));
    const closed = closeCode(ws);
    // Far below the old 256 MiB limit, just above the contract's largest call.
    ws.send(encodeFrame({ kind: 'call', id: 1, method: 'nearest', args: { z: new Float32Array(Math.ceil(MAX_CALL_FRAME_BYTES / 4) + 1024), k: 8 } }));
    expect(await closed).toBe(1009);
    expect(calls.nearest).toBe(0);
    expect(MAX_CALL_FRAME_BYTES).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses arrays over the contract limits with bad-arguments, without calling the service', async () => {
    const calls = { decode: 0, nearest: 0 };
    const h = await start(fakeService(calls));
    const { ws, inbox } = opened(await open(h.port, h.token));
    ws.send(encodeFrame({ kind: 'call', id: 1, method: 'nearest', args: { z: new Float32Array(MAX_LATENT + 1), k: 8 } }));
    expect(await reply(inbox, 1)).toMatchObject({
      ok: false,
      error: { code: 'bad-arguments', message: expect.stringContaining(`at most ${MAX_LATENT} numbers`) },
    });
    ws.send(encodeFrame({ kind: 'call', id: 2, method: 'decode', args: { z: new Float32Array(MAX_DECODE_FLOATS + 1) } }));
    expect(await reply(inbox, 2)).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(calls).toEqual({ decode: 0, nearest: 0 });
    // The largest legal ones go through.
    ws.send(encodeFrame({ kind: 'call', id: 3, method: 'nearest', args: { z: new Float32Array(MAX_LATENT), k: 8 } }));
    ws.send(encodeFrame({ kind: 'call', id: 4, method: 'decode', args: { z: new Float32Array(MAX_DECODE_FLOATS) } }));
    expect(await reply(inbox, 3)).toMatchObject({ ok: true });
    expect(await reply(inbox, 4)).toMatchObject({ ok: true });
    expect(calls).toEqual({ decode: 1, nearest: 1 });
    ws.close();
  });

  it('closes a socket whose frame carries a __proto__ key, before the schema or the service sees it', async () => {
    const calls = { decode: 0, nearest: 0 };
    const h = await start(fakeService(calls));
    const { ws } = opened(await open(h.port, h.token));
    const closed = closeCode(ws);
    // Assigned naively, "__proto__" would make the arguments inherit a valid z and pass the strict schema.
    const header = new TextEncoder().encode(
      JSON.stringify({ v: { kind: 'call', id: 1, method: 'decode', args: { ['__proto__']: { z: { $bin: 0 } } } }, bins: [['Float32Array', 0, 2]] }),
    );
    const start8 = (4 + header.byteLength + 7) & ~7;
    const frame = new Uint8Array(start8 + 8);
    new DataView(frame.buffer).setUint32(0, header.byteLength, true);
    frame.set(header, 4);
    ws.send(frame);
    expect(await closed).toBe(1003);
    expect(calls.decode).toBe(0);
  });
});

describe('connections', () => {
  it('caps the sockets open at once, and lets a new one in when one leaves', async () => {
    const h = await start(fakeService({ decode: 0, nearest: 0 }), { maxConnections: 2 });
    const a = opened(await open(h.port, h.token));
    const b = opened(await open(h.port, h.token));
    expect(await open(h.port, h.token)).toEqual({ status: 503 });
    const gone = closeCode(a.ws);
    a.ws.close();
    await gone;
    // The server sees the close a moment after the client does.
    let c: Opened = { status: 0 };
    for (let i = 0; i < 50 && !('ws' in c); i++) {
      c = await open(h.port, h.token);
      if (!('ws' in c)) await new Promise((r) => setTimeout(r, 20));
    }
    opened(c).ws.close();
    b.ws.close();
  });

  it('answers "busy" to calls beyond the in-flight cap of a socket', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls = { decode: 0, nearest: 0 };
    const h = await start(fakeService(calls, gate), { maxInFlight: 2 });
    const { ws, inbox } = opened(await open(h.port, h.token));
    for (let id = 1; id <= 3; id++) ws.send(encodeFrame({ kind: 'call', id, method: 'decode', args: { z: new Float32Array(2) } }));
    expect(await reply(inbox, 3)).toMatchObject({ ok: false, error: { code: 'busy' } });
    release();
    expect(await reply(inbox, 1)).toMatchObject({ ok: true });
    expect(await reply(inbox, 2)).toMatchObject({ ok: true });
    expect(calls.decode).toBe(2);
    ws.close();
  });

  it('closes a socket that stops answering pings (half-open)', async () => {
    const h = await start(fakeService({ decode: 0, nearest: 0 }), { pingIntervalMs: 100 });
    const mute = opened(await open(h.port, h.token, { autoPong: false }));
    const polite = opened(await open(h.port, h.token));
    // Terminated by the server: the client sees an abnormal close (1006), within a few intervals.
    expect(await closeCode(mute.ws, 3000)).toBe(1006);
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    polite.ws.close();
  });

  it('drops an HTTP client that never finishes its headers', async () => {
    const h = await start(fakeService({ decode: 0, nearest: 0 }), { headersTimeoutMs: 300 });
    const socket = tcpConnect(h.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume();
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Closed by the server, not by the test giving up: without the headers timeout it stays open.
    const closedByServer = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    expect(closedByServer).toBe(true);
  });
});
