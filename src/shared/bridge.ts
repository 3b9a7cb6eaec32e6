/**
 * The window API the Electron preload exposes (window.latentscape): one function per contract call,
 * returning the call's result or its error, and one subscription per event, returning an unsubscribe.
 * The browser build reaches the same calls over the WebSocket; src/renderer/lib/api.ts hides which.
 */
import type { CallInput, CallName, CallOutput, EventData, EventName, RpcResult } from './contract';

export interface LatentscapeBridge {
  readonly call: { readonly [K in CallName]: (args: CallInput<K>) => Promise<RpcResult<CallOutput<K>>> };
  on<E extends EventName>(name: E, listener: (data: EventData<E>) => void): () => void;
}
