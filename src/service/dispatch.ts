/**
 * One entry for both transports (Electron IPC and the serve host's WebSocket): the call's name is
 * checked, its arguments parsed by the contract's schema (strict: extra fields refused), the handler
 * run, and its result checked against the contract too. Errors come back as { code, message }.
 */
import type { z } from 'zod';
import { calls, describeIssues, isCallName, parseCallInput, type CallName, type CallOutput, type RpcResult } from '../shared/contract';
import { runAsCaller, type Caller } from './engine-queue';

export type Handlers = { [K in CallName]: (args: z.output<(typeof calls)[K]['input']>) => Promise<CallOutput<K>> };

/** `caller` names the client (one per serve socket): the engine queue takes turns between callers. */
export async function dispatch(handlers: Handlers, method: unknown, args: unknown, caller?: Caller): Promise<RpcResult<unknown>> {
  if (!isCallName(method)) {
    return { ok: false, error: { code: 'unknown-call', message: `unknown call ${JSON.stringify(String(method).slice(0, 80))}` } };
  }
  try {
    const input = parseCallInput(method, args);
    const handler = handlers[method] as (a: unknown) => Promise<unknown>;
    const value = await (caller === undefined ? handler(input) : runAsCaller(caller, () => handler(input)));
    const checked = calls[method].output.safeParse(value);
    if (!checked.success) {
      return {
        ok: false,
        error: { code: 'internal', message: `${method}: the app produced a result outside the contract (${describeIssues(checked.error)})` },
      };
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    return { ok: false, error: { code: typeof e?.code === 'string' ? e.code : 'failed', message: e?.message ?? String(err) } };
  }
}

/** What a transport needs from the service: the handlers and the event stream. */
export interface ContractService {
  readonly handlers: Handlers;
  on(listener: (name: import('../shared/contract').EventName, data: unknown) => void): () => void;
}
