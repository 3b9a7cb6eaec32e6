/** The engine protocol is checked at run time on both sides of a call, like the renderer's contract. */
import { describe, expect, it } from 'vitest';
import { checkEngineEvent, engineCalls, runEngineCall, type EngineHandlers } from '../../../src/shared/engine-protocol';

/** A handler table whose handlers record their calls and return what `results` says. */
function table(results: Partial<Record<keyof EngineHandlers, unknown>>): { handlers: EngineHandlers; calls: string[] } {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    Object.keys(engineCalls).map((op) => [
      op,
      (args: unknown) => {
        calls.push(`${op} ${JSON.stringify(args)}`);
        return results[op as keyof EngineHandlers];
      },
    ]),
  ) as unknown as EngineHandlers;
  return { handlers, calls };
}

const images = (count: number) => ({ count, height: 2, width: 2, channels: 1 as const, pixels: new Uint8Array(count * 4) });

describe('runEngineCall', () => {
  it('passes parsed arguments to the handler and returns its checked result, typed arrays intact', async () => {
    const result = images(1);
    const { handlers, calls } = table({ decode: result });
    const z = new Float32Array([0.5, -1]);
    const value = (await runEngineCall(handlers, 'decode', { z })) as typeof result;
    expect(calls).toHaveLength(1);
    expect(value).toEqual(result);
    expect(value.pixels).toBe(result.pixels);
  });

  it('refuses an unknown operation', async () => {
    const { handlers, calls } = table({});
    await expect(runEngineCall(handlers, 'rm -rf', {})).rejects.toMatchObject({ code: 'unknown-op' });
    await expect(runEngineCall(handlers, 'toString', {})).rejects.toMatchObject({ code: 'unknown-op' });
    expect(calls).toEqual([]);
  });

  it('refuses arguments outside the schema before the handler runs', async () => {
    const { handlers, calls } = table({ decode: images(1) });
    await expect(runEngineCall(handlers, 'decode', { z: [0, 1] })).rejects.toMatchObject({
      code: 'bad-arguments',
      message: expect.stringContaining('Float32Array'),
    });
    await expect(runEngineCall(handlers, 'decode', { z: new Float32Array(2), extra: 1 })).rejects.toMatchObject({ code: 'bad-arguments' });
    await expect(runEngineCall(handlers, 'loadModel', { dir: 'relative/dir' })).rejects.toMatchObject({
      code: 'bad-arguments',
      message: expect.stringContaining('absolute'),
    });
    expect(calls).toEqual([]);
  });

  it('refuses a result outside the protocol (a bug in the engine) instead of sending it', async () => {
    const { handlers } = table({
      decode: { ...images(1), pixels: [0, 0, 0, 0] },
      init: { backend: 'webgl', fallbacks: [], pid: 1 },
      cancel: { cancelled: true, extra: 1 },
    });
    await expect(runEngineCall(handlers, 'decode', { z: new Float32Array(2) })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('pixels'),
    });
    await expect(runEngineCall(handlers, 'init', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('backend') });
    await expect(runEngineCall(handlers, 'cancel', {})).rejects.toMatchObject({ code: 'internal' });
  });
});

describe('engine events', () => {
  it('accepts the events of the protocol and refuses anything else', () => {
    expect(checkEngineEvent({ type: 'ingest', done: 1, total: 2 })).toMatchObject({ ok: true });
    expect(checkEngineEvent({ type: 'checkpoint', epoch: 1, dir: '/m' })).toMatchObject({ ok: true });
    expect(checkEngineEvent({ type: 'ingest', done: -1, total: 2 })).toMatchObject({ ok: false });
    expect(checkEngineEvent({ type: 'progress', done: 1 })).toMatchObject({ ok: false });
    expect(checkEngineEvent({ type: 'log', message: 'hi', level: 'info' })).toMatchObject({ ok: false });
  });
});
