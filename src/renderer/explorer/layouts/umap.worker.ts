/**
 * UMAP off the UI thread. UMAP is fitted on an even sample of the points (its cost grows with the
 * square of what it fits); every other point is placed at the distance-weighted mean of its nearest
 * sampled neighbours in latent space. Layouts stream back while the optimisation runs, so the page
 * can show the space taking shape. Layouts are centred and scaled to an RMS radius of 1.5 (like a
 * VAE's latent space), so switching views keeps the camera's framing.
 */
import { UMAP } from 'umap-js';
import { nearestSampled } from './sample-neighbours';

export interface UmapFitRequest {
  type: 'fit';
  mu: Float32Array;
  count: number;
  latentDim: number;
  sampleSize: number;
  epochs: number;
  seed: number;
  nNeighbors: number;
  minDist: number;
  /** 2: a flat layout (z = 0); 3: a 3D one. */
  dims: 2 | 3;
}

export type UmapMessage =
  | { type: 'progress'; stage: 'neighbours' | 'placing' | 'layout'; done: number; total: number }
  | { type: 'layout'; view: Float32Array; epoch: number; epochs: number; final: boolean; sampleSize: number }
  | { type: 'error'; message: string };

const NEIGHBOURS = 6;

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const post = (message: UmapMessage, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

function fit(req: UmapFitRequest): void {
  const { mu, count, latentDim: d } = req;
  if (count < 4) throw new Error('UMAP needs at least 4 points');
  const n = Math.min(count, req.sampleSize);
  const sample = new Int32Array(n);
  for (let i = 0; i < n; i++) sample[i] = Math.floor((i * count) / n);
  const rows: number[][] = Array.from(sample, (i) => Array.from(mu.subarray(i * d, (i + 1) * d)));

  post({ type: 'progress', stage: 'neighbours', done: 0, total: n });
  const umap = new UMAP({
    nComponents: req.dims,
    nNeighbors: Math.max(2, Math.min(req.nNeighbors, n - 1)),
    minDist: req.minDist,
    nEpochs: req.epochs,
    random: seeded(req.seed),
  });
  const epochs = umap.initializeFit(rows);

  // Each point's nearest sampled points and their weights (a sampled point is its own neighbour);
  // an inverted file over the sample keeps this fast for 20,000-point fits.
  const { knn, distances } = nearestSampled(mu, count, d, sample, NEIGHBOURS, (done) => post({ type: 'progress', stage: 'placing', done, total: count }));
  const weights = new Float32Array(count * NEIGHBOURS);
  for (let i = 0; i < count; i++) {
    let total = 0;
    const exact = distances[i * NEIGHBOURS] === 0;
    for (let k = 0; k < NEIGHBOURS; k++) {
      const w = exact ? (k === 0 ? 1 : 0) : 1 / (Math.sqrt(distances[i * NEIGHBOURS + k]) + 1e-6);
      weights[i * NEIGHBOURS + k] = w;
      total += w;
    }
    for (let k = 0; k < NEIGHBOURS; k++) weights[i * NEIGHBOURS + k] /= total;
  }

  const layout = (): Float32Array => {
    const emb = umap.getEmbedding();
    const view = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < NEIGHBOURS; k++) {
        const w = weights[i * NEIGHBOURS + k];
        if (!w) continue;
        const e = emb[knn[i * NEIGHBOURS + k]];
        view[i * 3] += w * e[0];
        view[i * 3 + 1] += w * e[1];
        if (req.dims === 3) view[i * 3 + 2] += w * e[2];
      }
    }
    const c = [0, 0, 0];
    for (let i = 0; i < count; i++) for (let a = 0; a < 3; a++) c[a] += view[i * 3 + a] / count;
    let ms = 0;
    for (let i = 0; i < count; i++) for (let a = 0; a < 3; a++) ms += (view[i * 3 + a] - c[a]) ** 2 / count;
    const scale = ms > 0 ? 1.5 / Math.sqrt(ms) : 1;
    for (let i = 0; i < count; i++) for (let a = 0; a < 3; a++) view[i * 3 + a] = (view[i * 3 + a] - c[a]) * scale;
    return view;
  };

  let lastPost = 0;
  for (let e = 0; e < epochs; e++) {
    umap.step();
    const now = performance.now();
    if (e === epochs - 1 || now - lastPost > 400) {
      lastPost = now;
      const final = e === epochs - 1;
      const view = layout();
      post({ type: 'layout', view, epoch: e + 1, epochs, final, sampleSize: n }, [view.buffer]);
      if (!final) post({ type: 'progress', stage: 'layout', done: e + 1, total: epochs });
    }
  }
}

self.onmessage = (e: MessageEvent<UmapFitRequest>): void => {
  if (e.data?.type !== 'fit') return;
  try {
    fit(e.data);
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};
