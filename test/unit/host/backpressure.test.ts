/**
 * The serve host against clients that do not read their replies, with real sockets on 127.0.0.1 and
 * a lowered bound on unsent reply bytes so the test stays small: the server stops starting calls and
 * reading the socket, keeps its unsent bytes bounded, closes the socket and lets go of them; a client
 * that does read gets its answers meanwhile; and each socket's calls reach the service as its own caller.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type HostOptions, type RunningHost } from '../../../src/host/server';
import { CALL_NAMES, FIRST_GENERATION } from '../../../src/shared/contract';
import type { ContractService, Handlers } from '../../../src/service/dispatch';
import { EngineQueue, currentCaller } from '../../../src/service/engine-queue';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';

const REPLY_BYTES = 1 << 20;

/** decode answers `replyBytes` of pixels (after `gate`, for decodes of more than 8 vectors) and notes who asked. */
function bigReplies(callers: string[], replyBytes = REPLY_BYTES, gate?: Promise<void>): ContractService {
  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error(`${n} not faked`))])) as unknown as Handlers;
  handlers.decode = async ({ z }) => {
    callers.push(currentCaller());
    if (gate && z.length > 8 * 64) await gate;
    return { count: 1, height: replyBytes / 1024, width: 1024, channels: 1, pixels: new Uint8Array(replyBytes), generation: FIRST_GENERATION };
  };
  return { handlers, on: () => () => undefined };
}

let dir: string;
const hosts: RunningHost[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ls-host-pressure-'));
  mkdirSync(join(dir, 'renderer'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Latentscape</title>');
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(service: ContractService, extra: Partial<HostOptions>): Promise<RunningHost> {
  const h = await startHost({ service, rendererDir: join(dir, 'renderer'), port: 0, log: () => undefined, ...extra });
  hosts.push(h);
  return h;
}

async function open(h: RunningHost): Promise<{ ws: WebSocket; inbox: ServerMessage[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`);
  const inbox: ServerMessage[] = [];
  ws.on('message', (data) => inbox.push(decodeFrame(data as Buffer) as ServerMessage));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, inbox };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const decodeCall = (id: number): Uint8Array => encodeFrame({ kind: 'call', id, method: 'decode', args: { z: new Float32Array(600) } });

describe('a client that does not read its replies', () => {
  it('is no longer read once its unsent bytes pass the bound, stays bounded, and is closed and let go of', async () => {
    const callers: string[] = [];
    const maxBufferedBytes = 2 * REPLY_BYTES;
    const maxRunningPerSocket = 2;
    // The stall limit is long enough to watch the paused socket, and the grace after close short.
    const h = await start(bigReplies(callers), { maxBufferedBytes, maxRunningPerSocket, maxInFlight: 64, maxStallMs: 1500, closeGraceMs: 100 });
    const mute = await open(h);
    mute.ws.pause();
    // 64 MiB of replies asked for: far more than the kernel's socket buffers take.
    for (let id = 1; id <= 64; id++) mute.ws.send(decodeCall(id));
    await until(() => h.stats().paused === 1, 'the server to stop reading the socket');
    expect(h.stats().bufferedBytes).toBeGreaterThan(maxBufferedBytes);
    const muteCalls = callers.length;

    // A client that reads is answered meanwhile.
    const polite = await open(h);
    polite.ws.send(decodeCall(1));
    await until(() => polite.inbox.some((m) => m.kind === 'result' && m.id === 1), 'the polite client to be answered');

    // Past the bound no call of the mute client started: what it holds unsent is at most the bound plus the calls that were running.
    expect(callers.length).toBe(muteCalls + 1);
    expect(muteCalls).toBeLessThan(64);
    expect(h.stats().peakBufferedBytes).toBeLessThanOrEqual(maxBufferedBytes + (maxRunningPerSocket + 1) * (REPLY_BYTES + 64));

    // Still over the bound after maxStallMs: closed, and its unsent bytes are gone with it.
    await until(() => h.stats().clients === 1, 'the mute client to be closed');
    expect(h.stats()).toMatchObject({ clients: 1, paused: 0, bufferedBytes: 0 });
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    polite.ws.close();
    mute.ws.terminate();
  });

  it('is read again once it catches up, and gets every answer', async () => {
    const callers: string[] = [];
    const h = await start(bigReplies(callers), { maxBufferedBytes: REPLY_BYTES, maxRunningPerSocket: 2, maxStallMs: 60_000 });
    const slow = await open(h);
    slow.ws.pause();
    for (let id = 1; id <= 40; id++) slow.ws.send(decodeCall(id));
    await until(() => h.stats().paused === 1, 'the server to stop reading the socket');
    slow.ws.resume();
    await until(() => slow.inbox.length === 40, 'all 40 answers');
    expect(slow.inbox.every((m) => m.kind === 'result' && m.ok)).toBe(true);
    expect(h.stats()).toMatchObject({ clients: 1, paused: 0, outstanding: 0 });
    slow.ws.close();
  });
});

describe('callers', () => {
  it("runs each socket's calls as that socket's caller", async () => {
    const callers: string[] = [];
    const h = await start(bigReplies(callers), {});
    const a = await open(h);
    const b = await open(h);
    a.ws.send(decodeCall(1));
    await until(() => a.inbox.length === 1, 'a to be answered');
    b.ws.send(decodeCall(1));
    await until(() => b.inbox.length === 1, 'b to be answered');
    expect(callers).toHaveLength(2);
    expect(callers[0]).not.toBe(callers[1]);
    expect(callers).not.toContain('local');
    a.ws.close();
    b.ws.close();
  });
});

describe('calls of one socket', () => {
  it('count as outstanding until their reply is written out, not merely computed', async () => {
    const callers: string[] = [];
    // Replies far bigger than the kernel's socket buffers, and no bound on unsent bytes to get in the way.
    const h = await start(bigReplies(callers, 16 * REPLY_BYTES), { maxInFlight: 3, maxBufferedBytes: 2 ** 30, maxStallMs: 60_000 });
    const mute = await open(h);
    mute.ws.pause();
    for (let id = 1; id <= 3; id++) mute.ws.send(decodeCall(id));
    await until(() => callers.length === 3 && h.stats().bufferedBytes > 16 * REPLY_BYTES, 'three replies stuck unsent');
    // Computed but not delivered: the fourth call is over the cap, answered 'busy' (a few more unsent bytes), and never reaches the service.
    const stuck = h.stats().bufferedBytes;
    mute.ws.send(decodeCall(4));
    await until(() => h.stats().bufferedBytes > stuck, 'the fourth call to be answered');
    expect(callers).toHaveLength(3);
    expect(h.stats().outstanding).toBe(3);
    mute.ws.resume();
    await until(() => mute.inbox.length === 4, 'every answer');
    expect(mute.inbox.find((m) => m.kind === 'result' && m.id === 4)).toMatchObject({ ok: false, error: { code: 'busy' } });
    mute.ws.close();
  });

  it('run at most maxRunningPerSocket at once, and a cheap interactive call does not wait behind them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const callers: string[] = [];
    const h = await start(bigReplies(callers, 1024, gate), { maxRunningPerSocket: 2 });
    const { ws, inbox } = await open(h);
    for (let id = 1; id <= 6; id++) ws.send(decodeCall(id));
    ws.send(encodeFrame({ kind: 'call', id: 7, method: 'decode', args: { z: new Float32Array(2) } }));
    await until(() => inbox.some((m) => m.kind === 'result' && m.id === 7), 'the interactive call to be answered');
    // Two big ones started, four wait their turn, and the small one went past them.
    expect(callers).toHaveLength(3);
    expect(inbox).toHaveLength(1);
    release();
    await until(() => inbox.length === 7, 'every answer');
    ws.close();
  });

  it('that still wait for the engine are dropped when the socket closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new EngineQueue();
    let started = 0;
    const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error(`${n} not faked`))])) as unknown as Handlers;
    handlers.decode = ({ z }) =>
      queue.run('decode', { z }, async () => {
        started++;
        await gate;
        return { count: 1, height: 1, width: 1, channels: 1, pixels: new Uint8Array(1), generation: FIRST_GENERATION };
      });
    const h = await start({ handlers, on: () => () => undefined }, {});
    const { ws } = await open(h);
    for (let id = 1; id <= 4; id++) ws.send(decodeCall(id));
    await until(() => started === 1 && queue.waiting.bulk === 3, 'one call at the engine and three waiting');
    ws.close();
    await until(() => h.stats().clients === 0, 'the server to see the close');
    release();
    await until(() => queue.waiting.bulk === 0, 'the queue to empty');
    expect(started).toBe(1);
  });
});
