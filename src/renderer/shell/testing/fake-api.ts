/**
 * A fake Api for the renderer's component and state tests: the test answers the calls it expects,
 * every call is recorded (what a click sent), any other call fails, and events are emitted by hand.
 * An answer that leaves out the generation of a stamped result gets the first one (the fixtures' status).
 */
import {
  calls as contractCalls,
  FIRST_GENERATION,
  type CallInput,
  type CallName,
  type CallOutput,
  type EventData,
  type EventName,
  type Generation,
} from '../../../shared/contract';
import { ApiError, type Api } from '../../lib/api';

/** A call's answer as a test writes it: a stamped result may leave its generation out. */
export type Answer<K extends CallName> =
  CallOutput<K> extends { generation: Generation } ? Omit<CallOutput<K>, 'generation'> & { generation?: Generation } : CallOutput<K>;
export type Answers = { [K in CallName]?: (args: CallInput<K>) => Answer<K> | Promise<Answer<K>> };

function isStamped(name: CallName): boolean {
  const output: unknown = contractCalls[name].output;
  return typeof output === 'object' && output !== null && 'shape' in output && 'generation' in (output as { shape: object }).shape;
}

export interface FakeApi {
  readonly api: Api;
  /** Every call made, in order. */
  readonly calls: { name: CallName; args: unknown }[];
  /** The calls of one name, their arguments. */
  argsOf<K extends CallName>(name: K): CallInput<K>[];
  emit<E extends EventName>(name: E, data: EventData<E>): void;
}

export function fakeApi(answers: Answers = {}): FakeApi {
  const calls: { name: CallName; args: unknown }[] = [];
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const api: Api = {
    transport: 'browser',
    async call<K extends CallName>(name: K, args: CallInput<K>): Promise<CallOutput<K>> {
      calls.push({ name, args });
      const answer = answers[name] as ((a: CallInput<K>) => Answer<K> | Promise<Answer<K>>) | undefined;
      if (!answer) throw new ApiError('internal', `unexpected call ${name}`);
      const value = (await answer(args)) as object;
      return (isStamped(name) && !('generation' in value) ? { ...value, generation: FIRST_GENERATION } : value) as CallOutput<K>;
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (data: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (data: unknown) => void);
    },
    onConnection: () => () => {},
  };
  return {
    api,
    calls,
    argsOf: <K extends CallName>(name: K) => calls.filter((c) => c.name === name).map((c) => c.args as CallInput<K>),
    emit: (name, data) => listeners.get(name)?.forEach((l) => l(data)),
  };
}
