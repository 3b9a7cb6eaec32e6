import { describe, expect, it } from 'vitest';
import type { Embeddings, PointStats } from '../../shared/contract';
import { fakeApi } from '../shell/testing/fake-api';
import { PointStyle } from './point-style.svelte';

const stats = { count: 2, recon: Float32Array.from([1, 2]), kl: Float32Array.from([3, 4]) } as unknown as PointStats;

function styleWith(answer: () => Promise<PointStats>) {
  const fake = fakeApi({ pointStats: answer });
  const notices: string[] = [];
  let key = 'model-a';
  const style = new PointStyle({ api: fake.api, embeddings: { count: 2 } as unknown as Embeddings, notify: (_l, m) => notices.push(m) }, () => key);
  return { style, fake, notices, setKey: (k: string) => (key = k) };
}

describe('PointStyle', () => {
  it('colouring by a measure loads the measures once', async () => {
    const { style, fake } = styleWith(async () => stats);
    await style.setColoring('recon');
    await style.setColoring('kl');
    expect(style.stats).toBe(stats);
    expect(fake.argsOf('pointStats')).toHaveLength(1);
  });

  it('drops measures that arrive after the points changed', async () => {
    let release: (s: PointStats) => void = () => {};
    const { style, setKey } = styleWith(() => new Promise((resolve) => (release = resolve)));
    const loading = style.setColoring('recon');
    setKey('model-b');
    release(stats);
    await loading;
    expect(style.stats).toBeNull();
  });

  it('a failed load says so and goes back to colouring by label', async () => {
    const { style, notices } = styleWith(() => Promise.reject(new Error('engine stopped')));
    await style.setColoring('kl');
    expect(style.coloring).toBe('label');
    expect(notices).toEqual(['could not measure the points: engine stopped']);
  });

  it('colouring by cluster asks for the clusters, not the measures', async () => {
    const fake = fakeApi({ pointStats: async () => stats });
    let asked = 0;
    const style = new PointStyle(
      { api: fake.api, embeddings: { count: 2 } as unknown as Embeddings, notify: () => {} },
      () => 'k',
      () => asked++,
    );
    await style.setColoring('cluster');
    expect(asked).toBe(1);
    expect(fake.argsOf('pointStats')).toHaveLength(0);
    style.pointsChanged(false);
    expect(asked).toBe(2);
  });

  it('solo shows one label, and all again when it is the only one shown', () => {
    const { style } = styleWith(async () => stats);
    style.soloLabel(2, 4);
    expect(style.hiddenLabels).toEqual([0, 1, 3]);
    style.soloLabel(2, 4);
    expect(style.hiddenLabels).toEqual([]);
  });
});
