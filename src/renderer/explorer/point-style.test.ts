import { describe, expect, it } from 'vitest';
import type { Embeddings, Generation, PointStats, Stamped } from '../../shared/contract';
import { fakeApi } from '../shell/testing/fake-api';
import { PointStyle } from './point-style.svelte';

const stats = { count: 2, recon: Float32Array.from([1, 2]), kl: Float32Array.from([3, 4]) } as unknown as PointStats;

function styleWith(answer: () => Promise<PointStats>) {
  const fake = fakeApi({ pointStats: answer });
  const notices: string[] = [];
  // The generation the page holds; the fake stamps answers with the first one (0).
  let current = 0;
  const style = new PointStyle({
    api: fake.api,
    embeddings: { count: 2 } as unknown as Stamped<Embeddings>,
    notify: (_l, m) => notices.push(m),
    isCurrent: (g: Generation) => g === current,
  });
  return { style, fake, notices, open: () => current++ };
}

describe('PointStyle', () => {
  it('colouring by a measure loads the measures once', async () => {
    const { style, fake } = styleWith(async () => stats);
    await style.setColoring('recon');
    await style.setColoring('kl');
    expect(style.stats).toEqual(stats);
    expect(fake.argsOf('pointStats')).toHaveLength(1);
  });

  it('drops measures of another generation (something else opened while they were measured)', async () => {
    let release: (s: PointStats) => void = () => {};
    const { style, open } = styleWith(() => new Promise((resolve) => (release = resolve)));
    const loading = style.setColoring('recon');
    open();
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
    const style = new PointStyle({ api: fake.api, embeddings: { count: 2 } as never, notify: () => {}, isCurrent: () => true }, () => asked++);
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
