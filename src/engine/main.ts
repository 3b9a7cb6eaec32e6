/**
 * The engine process's entry: a message loop over the protocol of src/shared/engine-protocol.ts.
 * Started by Electron's utilityProcess (messages through process.parentPort, structured clone) or by
 * Node's child_process.fork with serialization 'advanced' (process.send); typed arrays survive both.
 *
 * The listener is attached before the heavy engine (tfjs) loads, and 'ready' tells the service it
 * can send: no request is lost while the engine starts.
 */
import { checkEngineEvent, runEngineCall, type EngineEvent, type FromEngine, type ToEngine } from '../shared/engine-protocol';
import { enableEngineCompileCache, flushEngineCompileCache } from './compile-cache';

// Before the engine's heavy modules load (the handlers below): their compiled code is kept for the next start.
enableEngineCompileCache();

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromEngine): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.send) process.send(message);
}

function onMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data));
  else process.on('message', listener);
}

if (!parentPort && !process.send) {
  process.stderr.write('the engine runs as a child process of Latentscape (utilityProcess or child_process.fork)\n');
  process.exit(2);
}

// Without a parent there is nothing to work for. An ingest cache still being written behind its dataset
// is finished first (within 2 s), so that no temp file is left beside it.
process.on('disconnect', () => {
  const written = import('./data/ingest/cache').then(({ cacheWritesDone }) => cacheWritesDone());
  void Promise.race([written, new Promise((resolve) => setTimeout(resolve, 2000))]).finally(() => process.exit(0));
});

const queue: ToEngine[] = [];
let handle: ((request: ToEngine) => void) | null = null;

onMessage((message) => {
  const request = message as ToEngine;
  if (!request || request.kind !== 'request' || typeof request.id !== 'number') return;
  if (handle) handle(request);
  else queue.push(request);
});
send({ kind: 'ready', pid: process.pid });

const emit = (event: EngineEvent): void => {
  const checked = checkEngineEvent(event);
  // A bug in the engine: say so loudly rather than send something outside the protocol.
  if (checked.ok) send({ kind: 'event', event: checked.event });
  else process.stderr.write(`latentscape engine: event ${String((event as { type?: unknown }).type)} does not match the protocol: ${checked.reason}\n`);
};

// No top-level await: the entry also runs as a bundled utilityProcess script.
void import('./handlers').then(({ engineHandlers }) => {
  const handlers = engineHandlers(emit);
  handle = (request) => {
    runEngineCall(handlers, request.op, request.args).then(
      (value) => {
        send({ kind: 'response', id: request.id, ok: true, value });
        // The backend is loaded: its compiled code goes to disk now, since a service stops its engine with a signal.
        if (request.op === 'init') setImmediate(flushEngineCompileCache);
      },
      (err: unknown) => {
        const e = err as { message?: string; code?: string };
        send({
          kind: 'response',
          id: request.id,
          ok: false,
          error: { message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) },
        });
      },
    );
  };
  for (const request of queue.splice(0)) handle(request);
});
