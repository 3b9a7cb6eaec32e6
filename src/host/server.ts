/**
 * The browser host: serves the built renderer over HTTP and carries the contract over a WebSocket
 * (binary frames, src/shared/wire.ts), validated by the same schemas as Electron's IPC.
 *
 * Binds 127.0.0.1 unless told otherwise. Every HTTP request and WebSocket upgrade needs the random
 * token (from the printed URL's ?token=, or the HttpOnly cookie set when that URL is opened);
 * without it: 401. The socket also refuses foreign Origins.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../shared/csp';
import { decodeFrame, encodeFrame, type ClientMessage, type ServerMessage } from '../shared/wire';
import { dispatch, type ContractService } from '../service/dispatch';

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
}

export interface RunningHost {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
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

  const authorized = (req: IncomingMessage, url: URL): boolean => tokenMatches(expected, url.searchParams.get('token')) || tokenMatches(expected, cookieToken(req));

  const securityHeaders = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy([`ws://${formatHost(host)}:${port}`, `ws://localhost:${port}`]));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  };

  const server = createServer((req, res) => {
    void (async () => {
      securityHeaders(res);
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
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const sameOrigin = !origin || origin === `http://${req.headers.host}`;
    if (url.pathname !== SOCKET_PATH || !authorized(req, url) || !sameOrigin) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  });

  const connect = (ws: WebSocket): void => {
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message));
    };
    const unsubscribe = options.service.on((name, data) => send({ kind: 'event', name, data }));
    ws.on('message', (raw, isBinary) => {
      let message: ClientMessage;
      try {
        if (!isBinary) throw new Error('text frames are not part of the protocol');
        const bytes = Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw;
        message = decodeFrame(bytes) as ClientMessage;
        if (!message || message.kind !== 'call' || !Number.isInteger(message.id)) throw new Error('expected a call');
      } catch (err) {
        ws.close(1003, `malformed message: ${(err as Error).message}`.slice(0, 120));
        return;
      }
      void dispatch(options.service.handlers, message.method, message.args).then((result) => {
        send(result.ok ? { kind: 'result', id: message.id, ok: true, value: result.value } : { kind: 'result', id: message.id, ok: false, error: result.error });
      });
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(host)}:${port}/?token=${token}`;
  return {
    url,
    host,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
