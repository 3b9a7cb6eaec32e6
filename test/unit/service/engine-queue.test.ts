/**
 * The queue in front of the engine (src/service/engine-queue.ts), through the supervisor with the
 * in-process fake engine, which answers in the order it receives. Everything here is about order:
 * which answer comes before which, never how long anything took.
 */
import { describe, expect, it } from 'vitest';
import { EngineSupervisor, type EngineHooks } from '../../../src/service/engine-supervisor';
import { runAsCaller, type EngineQueueOptions } from '../../../src/service/engine-queue';
import { ServiceEvents } from '../../../src/service/events';
import { FakeEngine } from './fake-engine';

const hooks: EngineHooks = { onEvent: () => {}, onLost: () => {}, beforeRestart: () => {}, restore: async () => [], afterRestart: () => {} };

async function supervisor(queue?: EngineQueueOptions): Promise<EngineSupervisor> {
  const s = new EngineSupervisor({ spawnEngine: () => new FakeEngine(), ...(queue ? { queue } : {}) }, new ServiceEvents(), hooks);
  await s.start();
  return s;
}

/** 4096 vectors of a 2-D latent: bulk work. */
const bulkZ = (): Float32Array => new Float32Array(4096 * 2);

describe('the engine queue', () => {
  it('answers a 1-vector decode before the flood of big decodes queued ahead of it', async () => {
    const engine = await supervisor();
    const done: string[] = [];
    const flood = Array.from({ length: 20 }, (_, i) =>
      runAsCaller('flood', () => engine.request('decode', { z: bulkZ() }).then(() => done.push(`flood ${i}`))),
    );
    const probe = runAsCaller('probe', () => engine.request('decode', { z: new Float32Array(2) }).then(() => done.push('probe')));
    await Promise.all([...flood, probe]);
    expect(done).toHaveLength(21);
    // At most the one big decode already at the engine goes first.
    expect(done.indexOf('probe')).toBeLessThanOrEqual(1);
    await engine.stop();
  });

  it('takes turns between callers: a second flood is not served after the whole first one', async () => {
    const engine = await supervisor();
    const done: string[] = [];
    const send = (caller: string, n: number): Promise<unknown>[] =>
      Array.from({ length: n }, () => runAsCaller(caller, () => engine.request('decode', { z: bulkZ() }).then(() => done.push(caller))));
    await Promise.all([...send('a', 10), ...send('b', 10)]);
    expect(done).toHaveLength(20);
    expect(done.indexOf('b')).toBeLessThanOrEqual(2);
    // Interleaved: in the first half, each caller got nearly half the answers.
    expect(done.slice(0, 10).filter((c) => c === 'b').length).toBeGreaterThanOrEqual(4);
    await engine.stop();
  });

  it("refuses work beyond its global bound with 'busy', and takes work again once it drains", async () => {
    const engine = await supervisor({ maxQueued: 4 });
    // One at the engine, four waiting, from two callers: the bound is for all of them together.
    const accepted = [
      ...['a', 'a', 'a'].map((c) => runAsCaller(c, () => engine.request('decode', { z: bulkZ() }))),
      ...['b', 'b'].map((c) => runAsCaller(c, () => engine.request('decode', { z: bulkZ() }))),
    ];
    const refused = runAsCaller('c', () => engine.request('decode', { z: bulkZ() }));
    await expect(refused).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('the engine is busy') });
    // A cheap interactive call has its own lane and is not refused by the bulk work.
    await expect(runAsCaller('c', () => engine.request('decode', { z: new Float32Array(2) }))).resolves.toMatchObject({ count: 1 });
    await Promise.all(accepted);
    await expect(runAsCaller('c', () => engine.request('decode', { z: bulkZ() }))).resolves.toMatchObject({ count: 4096 });
    await engine.stop();
  });

  it('refuses what still waits when the engine stops, and starts no engine for it', async () => {
    let spawned = 0;
    const engine = new EngineSupervisor(
      {
        spawnEngine: () => {
          spawned++;
          return new FakeEngine();
        },
      },
      new ServiceEvents(),
      hooks,
    );
    await engine.start();
    const calls = Array.from({ length: 5 }, () => runAsCaller('a', () => engine.request('decode', { z: bulkZ() })));
    const outcomes = Promise.allSettled(calls);
    await engine.stop();
    const settled = await outcomes;
    // The one at the engine when it stopped failed with it; the four waiting were refused.
    expect(settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.code)).toEqual([
      'engine',
      'engine',
      'engine',
      'engine',
      'engine',
    ]);
    expect(spawned).toBe(1);
  });

  it('drops the waiting work of a client that has gone, before it reaches the engine', async () => {
    let fake: FakeEngine | null = null;
    const engine = new EngineSupervisor({ spawnEngine: () => (fake = new FakeEngine()) }, new ServiceEvents(), hooks);
    await engine.start();
    const client = new AbortController();
    const calls = Array.from({ length: 5 }, () => runAsCaller({ id: 'a', gone: client.signal }, () => engine.request('decode', { z: bulkZ() })));
    const outcomes = Promise.allSettled(calls);
    client.abort();
    const settled = await outcomes;
    // The one already at the engine is answered; the four waiting are dropped, and so is a late one.
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'gone' });
    await expect(runAsCaller({ id: 'a', gone: client.signal }, () => engine.request('decode', { z: bulkZ() }))).rejects.toMatchObject({ code: 'gone' });
    expect(fake!.received.filter((m) => m.op === 'decode')).toHaveLength(1);
    await engine.stop();
  });
});
