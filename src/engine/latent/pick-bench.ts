/**
 * `latentscape bench` figure for the explorer's picking: a clustered cloud of 1,000,000 synthetic
 * points, the index built once (src/shared/point-index.ts, as the page does), then clicks from
 * cameras around the cloud with a 4-pixel pick radius in an 800-pixel-high 50° view.
 */
import { PointIndex } from '../../shared/point-index';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function syntheticCloud(n: number, seed = 1): Float32Array {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    out[i * 3] = Math.cos(c * 0.63) * 1.5 + gauss() * 0.6;
    out[i * 3 + 1] = Math.sin(c * 0.63) * 1.5 + gauss() * 0.6;
    out[i * 3 + 2] = (c - 4.5) * 0.2 + gauss() * 0.6;
  }
  return out;
}

export function benchPick(n = 1_000_000, clicks = 300): Record<string, number> {
  const positions = syntheticCloud(n);
  const built = performance.now();
  const index = new PointIndex(positions, n);
  const buildMs = performance.now() - built;
  const r = rng(7);
  const pixelsHigh = 800;
  const perDepth = (2 * Math.tan((50 * Math.PI) / 360)) / pixelsHigh; // one pixel's width per unit of depth
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < clicks; i++) {
    const theta = r() * Math.PI * 2;
    const o = [Math.cos(theta) * 7, (r() - 0.5) * 4, Math.sin(theta) * 7];
    const aim = [(r() - 0.5) * 6, (r() - 0.5) * 6, (r() - 0.5) * 6];
    const t = performance.now();
    const hit = index.raycast(o, [aim[0] - o[0], aim[1] - o[1], aim[2] - o[2]], 0, 4 * perDepth);
    times.push(performance.now() - t);
    if (hit) hits++;
  }
  times.sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    pick_ms_1m: round(times[Math.floor(clicks / 2)]),
    pick_p95_ms_1m: round(times[Math.floor(clicks * 0.95)]),
    pick_max_ms_1m: round(times[clicks - 1]),
    pick_hit_rate_1m: round(hits / clicks),
    pick_index_build_ms_1m: round(buildMs),
  };
}
