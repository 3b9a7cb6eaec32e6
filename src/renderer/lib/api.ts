/**
 * The only file that talks to the outside: Electron's bridge (window.latentscape, from the preload)
 * when it exists, else the serve host's WebSocket (binary frames, token from the page's URL).
 * Everything else in the renderer programs against `Api`.
 */
import type { CallInput, CallName, CallOutput, EventData, EventName, RpcResult } from '../../shared/contract';
import type { LatentscapeBridge } from '../../shared/bridge';
import { decodeFrame, encodeFrame, type ClientMessage, type ServerMessage } from '../../shared/wire';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The service refused an answer as stale (another dataset or model opened meanwhile): nothing to tell the user. */
export function isStale(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'stale';
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Api {
  readonly transport: 'electron' | 'browser';
  call<K extends CallName>(name: K, args: CallInput<K>): Promise<CallOutput<K>>;
  on<E extends EventName>(name: E, listener: (data: EventData<E>) => void): () => void;
  /** The socket's state (always 'open' in Electron). */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error.code, result.error.message);
}

function electronApi(bridge: LatentscapeBridge): Api {
  return {
    transport: 'electron',
    async call(name, args) {
      const fn = bridge.call[name] as (a: unknown) => Promise<RpcResult<CallOutput<typeof name>>>;
      return unwrap(await fn(args));
    },
    on: (name, listener) => bridge.on(name, listener),
    onConnection(listener) {
      listener('open');
      return () => {};
    },
  };
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

function socketApi(): Api {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let opened: Promise<void>;
  let nextId = 1;
  let retryMs = 250;

  const setState = (s: ConnectionState): void => {
    state = s;
    for (const l of connectionListeners) l(s);
  };

  const connect = (): void => {
    setState('connecting');
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    opened = new Promise<void>((resolve, reject) => {
      ws.onopen = () => {
        retryMs = 250;
        setState('open');
        resolve();
      };
      ws.onerror = () => reject(new ApiError('disconnected', 'cannot reach the Latentscape host'));
    });
    opened.catch(() => {});
    ws.onmessage = (e) => {
      if (!(e.data instanceof ArrayBuffer)) return;
      const message = decodeFrame(e.data) as ServerMessage;
      if (message.kind === 'result') {
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        if (message.ok) p.resolve(message.value);
        else p.reject(new ApiError(message.error.code, message.error.message));
      } else if (message.kind === 'event') {
        for (const l of listeners.get(message.name) ?? []) l(message.data);
      }
    };
    ws.onclose = () => {
      for (const p of pending.values()) p.reject(new ApiError('disconnected', 'the connection to the Latentscape host closed'));
      pending.clear();
      setState('closed');
      // The host may be restarting: try again, slower each time.
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    transport: 'browser',
    async call(name, args) {
      if (state !== 'open') await opened;
      const id = nextId++;
      const message: ClientMessage = { kind: 'call', id, method: name, args };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket!.send(encodeFrame(message));
      });
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const l = listener as (data: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}

let instance: Api | null = null;

export function getApi(): Api {
  instance ??= window.latentscape ? electronApi(window.latentscape) : socketApi();
  return instance;
}
