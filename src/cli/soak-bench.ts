/**
 * The soak figures of `latentscape bench`: the real serve host (`latentscape serve`, in a process of
 * its own on 127.0.0.1, with the default model) under a flood, against one well-behaved client.
 *
 * `clients` flooding sockets send `decode(4096)` calls for `seconds` seconds: all but one keep
 * `burst` calls outstanding and read their replies; the last never reads its socket and sends
 * `burst` more every 2 s (the case of issue 24). Meanwhile a probe client decodes one vector at a
 * time. Reported: the probe's p50/p99 latency (`soak_p99_decode_ms`), the server process's peak RSS
 * growth over its idle RSS (`soak_peak_rss_growth_mb`, from /proc, so Linux only), its RSS growth
 * after the flood ends, what the flood got (answers, 'busy' refusals, the unread socket closed), N, M
 * and the load average. Bounded: the server gets 180 s to come up, the flood stops after `seconds`,
 * and the server is stopped (then killed) whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { MAX_DECODE_VECTORS } from '../shared/limits';
import { decodeFrame, encodeFrame, type ServerMessage } from '../shared/wire';

type Report = Record<string, number | string | null>;

export interface SoakOptions {
  /** Flooding sockets, one of them not reading (≥ 2). */
  clients?: number;
  seconds?: number;
  /** decode(4096) calls a flooding socket keeps outstanding (sends every 2 s when not reading). */
  burst?: number;
  /** The serve host's engine backend (else it picks). */
  backend?: string;
}

const BIN = fileURLToPath(new URL('../../bin/latentscape.js', import.meta.url));
const START_TIMEOUT_MS = 180_000;
const UNREAD_BURST_INTERVAL_MS = 2000;
const PROBE_PAUSE_MS = 20;
const CALL_TIMEOUT_MS = 60_000;

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in MiB (Linux /proc), null elsewhere. */
function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A socket of the bench: calls by id, replies handed to `onReply`. */
class BenchClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: ServerMessage & { kind: 'result' }) => void>();
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = decodeFrame(data as Buffer) as ServerMessage;
      if (message.kind !== 'result') return;
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
    ws.on('close', () => (this.closed = true));
    ws.on('error', () => (this.closed = true));
  }

  static open(url: string): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new BenchClient(ws)));
      ws.once('error', reject);
    });
  }

  /** The answer, or a 'timeout' error after CALL_TIMEOUT_MS, so that no wait of the bench is unbounded. */
  call(method: string, args: unknown): Promise<ServerMessage & { kind: 'result' }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ kind: 'result', id, ok: false, error: { code: 'timeout', message: `no answer in ${CALL_TIMEOUT_MS / 1000} s` } });
      }, CALL_TIMEOUT_MS);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.ws.send(encodeFrame({ kind: 'call', id, method, args }));
    });
  }

  /** Drops the socket; calls still waiting are answered 'closed'. */
  close(): void {
    this.closed = true;
    this.ws.terminate();
    for (const [id, resolve] of this.waiting) resolve({ kind: 'result', id, ok: false, error: { code: 'closed', message: 'the bench closed the socket' } });
    this.waiting.clear();
  }

  /** Sends without waiting for the answer (the unread socket). */
  fire(method: string, args: unknown): void {
    if (!this.closed && this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame({ kind: 'call', id: this.nextId++, method, args }));
  }
}

interface Server {
  child: ChildProcess;
  socketUrl: string;
  /** stderr lines saying the host closed a socket whose replies were not read. */
  unreadClosed(): number;
}

async function startServer(dir: string, backend: string | undefined): Promise<Server> {
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>soak</title>');
  const args = [BIN, 'serve', '--json', '--port', '0', '--data-dir', join(dir, 'data'), '--allow', dir, ...(backend ? ['--backend', backend] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LATENTSCAPE_RENDERER_DIR: rendererDir },
  });
  let closedUnread = 0;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.includes('replies are not read')) closedUnread++;
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<{ host: string; port: number; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the serve host did not print its address in time')), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`the serve host exited (code ${code}) before it was up`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { host: string; port: number; token: string });
      } catch {
        reject(new Error(`the serve host printed ${line.slice(0, 200)}`));
      }
    });
  });
  lines.on('line', () => undefined);
  return { child, socketUrl: `ws://${first.host}:${first.port}/ws?token=${first.token}`, unreadClosed: () => closedUnread };
}

/**
 * Waits for the default model and its dataset (MNIST opens after the model: each opening is a new
 * generation, and a decode asked across one is refused as stale); the model's latent size.
 */
async function modelReady(probe: BenchClient): Promise<number> {
  const end = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < end) {
    const r = await probe.call('status', {});
    const open = r.ok ? (r.value as { model: { latentDim: number } | null; dataset: unknown }) : null;
    if (open?.model && open.dataset) return open.model.latentDim;
    await sleep(250);
  }
  throw new Error('the serve host did not open the default model in time');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function benchSoak(progress: (stage: string) => void = () => {}, options: SoakOptions = {}): Promise<Report> {
  const clients = Math.max(2, options.clients ?? 6);
  const seconds = options.seconds ?? 30;
  const burst = options.burst ?? 32;
  const dir = mkdtempSync(join(tmpdir(), 'latentscape-soak-'));
  let server: Server | null = null;
  const sockets: BenchClient[] = [];
  try {
    progress('soak: starting the serve host');
    server = await startServer(dir, options.backend);
    const pid = server.child.pid!;
    const probe = await BenchClient.open(server.socketUrl);
    sockets.push(probe);
    const latentDim = await modelReady(probe);
    const one = (): { z: Float32Array } => ({ z: new Float32Array(latentDim).map(() => Math.random() * 2 - 1) });
    const bulk = { z: new Float32Array(MAX_DECODE_VECTORS * latentDim).map(() => Math.random() * 2 - 1) };
    for (let i = 0; i < 3; i++) await probe.call('decode', i === 0 ? bulk : one());
    const idleRss = rssMb(pid);

    progress(`soak: ${clients} flooding clients (one not reading) for ${seconds} s`);
    const loadAtStart = loadavg();
    const stopAt = Date.now() + seconds * 1000;
    let answers = 0;
    const refusals = new Map<string, number>();
    const flood = async (client: BenchClient): Promise<void> => {
      const loop = async (): Promise<void> => {
        while (Date.now() < stopAt && !client.closed) {
          const r = await client.call('decode', bulk);
          if (r.ok) answers++;
          else if (r.error.code !== 'closed') {
            refusals.set(r.error.code, (refusals.get(r.error.code) ?? 0) + 1);
            await sleep(50);
          }
        }
      };
      await Promise.all(Array.from({ length: burst }, loop));
    };
    const floods: Promise<void>[] = [];
    for (let i = 0; i < clients; i++) {
      const client = await BenchClient.open(server.socketUrl);
      sockets.push(client);
      if (i < clients - 1) floods.push(flood(client));
      else {
        client.ws.pause();
        const send = (): void => {
          for (let k = 0; k < burst; k++) client.fire('decode', bulk);
        };
        send();
        const timer = setInterval(send, UNREAD_BURST_INTERVAL_MS);
        floods.push(sleep(seconds * 1000).then(() => clearInterval(timer)));
      }
    }
    let peakRss = idleRss;
    const sampler = setInterval(() => {
      const now = rssMb(pid);
      if (now !== null && peakRss !== null) peakRss = Math.max(peakRss, now);
    }, 100);
    const latencies: number[] = [];
    let probeErrors = 0;
    let firstProbeError: string | null = null;
    while (Date.now() < stopAt) {
      const t = performance.now();
      const r = await probe.call('decode', one());
      if (r.ok) latencies.push(performance.now() - t);
      else {
        probeErrors++;
        firstProbeError ??= `${r.error.code}: ${r.error.message}`;
      }
      await sleep(PROBE_PAUSE_MS);
    }
    // The flood ends with M: its sockets are dropped with whatever they still wait for.
    for (const s of sockets.splice(1)) s.close();
    await Promise.all(floods);
    // The flood's replies are let go of with their sockets: RSS a moment later says whether they were.
    await sleep(3000);
    clearInterval(sampler);
    const afterRss = rssMb(pid);
    latencies.sort((a, b) => a - b);
    const load = loadavg();
    return {
      soak_p99_decode_ms: latencies.length ? round(percentile(latencies, 99), 1) : null,
      soak_p50_decode_ms: latencies.length ? round(percentile(latencies, 50), 1) : null,
      soak_probe_decodes: latencies.length,
      soak_probe_errors: probeErrors,
      soak_probe_first_error: firstProbeError,
      soak_peak_rss_growth_mb: idleRss !== null && peakRss !== null ? round(peakRss - idleRss, 1) : null,
      soak_rss_growth_after_mb: idleRss !== null && afterRss !== null ? round(afterRss - idleRss, 1) : null,
      soak_idle_rss_mb: idleRss !== null ? round(idleRss, 1) : null,
      soak_flood_answers: answers,
      // Refused or failed flood calls by error code ('busy': a bound of the host or of the engine queue).
      soak_flood_errors: [...refusals].map(([code, n]) => `${code}: ${n}`).join(', '),
      soak_unread_closed: server.unreadClosed(),
      soak_clients: clients,
      soak_seconds: seconds,
      soak_burst: burst,
      soak_load_avg_start: loadAtStart.map((l) => l.toFixed(2)).join(' '),
      soak_load_avg: load.map((l) => l.toFixed(2)).join(' '),
    };
  } finally {
    for (const s of sockets) s.close();
    if (server) await stopServer(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
