/**
 * The browser host: serves the built renderer over HTTP and carries the contract over a WebSocket
 * (binary frames, src/shared/wire.ts), validated by the same schemas as Electron's IPC.
 *
 * Binds 127.0.0.1 unless told otherwise. Every HTTP request and WebSocket upgrade needs the random
 * token (from the printed URL's ?token=, or the HttpOnly cookie set when that URL is opened);
 * without it: 401. The socket also refuses foreign Origins.
 *
 * Limits: only the Host names it serves are answered (127.0.0.1, localhost, [::1] and the --host
 * value, with the port: a DNS-rebound name gets 421), a frame may be no bigger than the largest
 * legitimate call (MAX_CALL_FRAME_BYTES, from the contract's limits), at most `maxConnections`
 * sockets at once, each bounded in calls and unsent reply bytes (client-socket.ts: a socket whose
 * replies are not read is no longer read, then closed), and a socket that stops answering pings
 * (or an HTTP client that never finishes its headers) is closed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../shared/csp';
import { MAX_CALL_FRAME_BYTES } from '../shared/limits';
import type { ContractService } from '../service/dispatch';
import { ClientSocket, type ClientLimits } from './client-socket';

export const TOKEN_COOKIE = 'latentscape_token';
export const SOCKET_PATH = '/ws';

export interface HostOptions {
  service: ContractService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** A fixed token (tests); random by default. */
  token?: string;
  /** WebSockets open at once (default 16); more are refused with 503. */
  maxConnections?: number;
  /** Calls of one socket whose replies are not yet written out (default 64); more are answered "busy". */
  maxInFlight?: number;
  /** Calls of one socket worked on at once (default 8); interactive ones do not wait for this. */
  maxRunningPerSocket?: number;
  /** Unsent reply bytes of one socket (default 16 MiB) past which it is no longer read. */
  maxBufferedBytes?: number;
  /** How long a socket may stay past maxBufferedBytes before it is closed (default 15 s). */
  maxStallMs?: number;
  /** How long a closed socket that reads nothing keeps its unsent bytes before it is dropped (default 2 s). */
  closeGraceMs?: number;
  /** Where the host says why it closed a socket (default stderr). */
  log?: (message: string) => void;
  /** A socket that does not answer a ping within this long is closed (default 30 s). */
  pingIntervalMs?: number;
  /** An HTTP request whose headers take longer is dropped (default 10 s). */
  headersTimeoutMs?: number;
}

/** What the Host header may say: the loopback names and the address we listen on, with our port. */
export function allowedHostHeaders(host: string, port: number): Set<string> {
  return new Set(['127.0.0.1', 'localhost', '[::1]', formatHost(host)].map((h) => `${h.toLowerCase()}:${port}`));
}

export interface RunningHost {
  url: string;
  host: string;
  port: number;
  token: string;
  /** The sockets now: how many, how many are no longer read, their unsent reply bytes and calls. */
  stats(): HostStats;
  close(): Promise<void>;
}

export interface HostStats {
  clients: number;
  paused: number;
  bufferedBytes: number;
  /** The most unsent reply bytes one open socket has held at once. */
  peakBufferedBytes: number;
  outstanding: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function tokenMatches(expected: Buffer, given: string | null | undefined): boolean {
  if (!given) return false;
  const b = Buffer.from(given);
  return b.length === expected.length && timingSafeEqual(b, expected);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return null;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);
  const indexFile = join(rendererDir, 'index.html');
  if (!(await stat(indexFile).catch(() => null))) {
    throw new Error(`the renderer is not built (${indexFile} is missing): run \`npm run build\` first`);
  }
  let port = 0;
  let hostHeaders = new Set<string>();
  const hostAllowed = (req: IncomingMessage): boolean => hostHeaders.has((req.headers.host ?? '').toLowerCase());
  const maxConnections = options.maxConnections ?? 16;

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    tokenMatches(expected, url.searchParams.get('token')) || tokenMatches(expected, cookieToken(req));

  const securityHeaders = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy([`ws://${formatHost(host)}:${port}`, `ws://localhost:${port}`]));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  };

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer(
    { headersTimeout, requestTimeout: 3 * headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
    (req, res) => {
      void (async () => {
        securityHeaders(res);
        if (!hostAllowed(req)) {
          res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('421: this server answers only to the address `latentscape serve` printed\n');
          return;
        }
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!authorized(req, url)) {
          res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('401: open the URL that `latentscape serve` printed (it carries the access token)\n');
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { Allow: 'GET, HEAD' });
          res.end();
          return;
        }
        if (url.searchParams.has('token')) {
          res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
        }
        let pathname: string;
        try {
          pathname = decodeURIComponent(url.pathname);
        } catch {
          res.writeHead(400).end();
          return;
        }
        const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
        const file = resolve(rendererDir, relative);
        if (file !== rendererDir && !file.startsWith(rendererDir + sep)) {
          res.writeHead(404).end();
          return;
        }
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
          return;
        }
        const body = await readFile(file);
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': body.byteLength,
          'Cache-Control': relative === 'index.html' ? 'no-store' : 'private, max-age=3600',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_FRAME_BYTES });
  const refuse = (socket: import('node:stream').Duplex, status: string): void => {
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
  server.on('upgrade', (req, socket, head) => {
    if (!hostAllowed(req)) return refuse(socket, '421 Misdirected Request');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const sameOrigin = !origin || origin === `http://${req.headers.host}`;
    if (url.pathname !== SOCKET_PATH || !authorized(req, url) || !sameOrigin) return refuse(socket, '401 Unauthorized');
    if (wss.clients.size >= maxConnections) return refuse(socket, '503 Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  });

  // Half-open sockets: every interval each socket must have answered the last ping, or it is closed.
  const alive = new WeakMap<WebSocket, boolean>();
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  pinger.unref();

  const limits: ClientLimits = {
    maxInFlight: options.maxInFlight ?? 64,
    maxRunning: options.maxRunningPerSocket ?? 8,
    maxBufferedBytes: options.maxBufferedBytes ?? 16 * 2 ** 20,
    maxStallMs: options.maxStallMs ?? 15_000,
    closeGraceMs: options.closeGraceMs ?? 2000,
  };
  const log = options.log ?? ((message: string) => void process.stderr.write(`latentscape serve: ${message}\n`));
  const clients = new Map<WebSocket, ClientSocket>();
  let nextClient = 1;
  const connect = (ws: WebSocket): void => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    clients.set(ws, new ClientSocket(ws, `socket ${nextClient++}`, options.service, limits, log));
    ws.on('close', () => clients.delete(ws));
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  hostHeaders = allowedHostHeaders(host, port);
  const url = `http://${formatHost(host)}:${port}/?token=${token}`;
  return {
    url,
    host,
    port,
    token,
    stats: () => {
      const all = [...clients.values()];
      return {
        clients: all.length,
        paused: all.filter((c) => c.paused).length,
        bufferedBytes: all.reduce((sum, c) => sum + c.bufferedBytes, 0),
        peakBufferedBytes: all.reduce((peak, c) => Math.max(peak, c.peakBufferedBytes), 0),
        outstanding: all.reduce((sum, c) => sum + c.outstanding, 0),
      };
    },
    close: async () => {
      clearInterval(pinger);
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
