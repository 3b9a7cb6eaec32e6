import { describe, expect, it, vi } from 'vitest';
import type { CallName, Embeddings, ModelSummary, Stamped } from '../../shared/contract';
import { ApiError, type Api } from '../lib/api';
import { AppState } from './app.svelte';

/**
 * AppState.loadEmbeddings against a fake Api whose `embeddings` call the test answers. The race it
 * pins down (eb2aa4b): a library model opens a moment before its folder, so the page still thinks the
 * model fits while the service already answers the points request with 'mismatch'.
 */
function fakeApi(embeddings: () => Promise<Embeddings>) {
  const call = vi.fn((name: CallName) => (name === 'embeddings' ? embeddings() : Promise.reject(new Error(`unexpected call ${name}`))));
  const api: Api = {
    transport: 'browser',
    call: call as unknown as Api['call'],
    on: () => () => {},
    onConnection: () => () => {},
  };
  return { api, call };
}

function model(fitsDataset: boolean): ModelSummary {
  return {
    dir: '/models/folder-16',
    arch: 'conv',
    latentDim: 2,
    likelihood: 'bernoulli',
    height: 16,
    width: 16,
    channels: 3,
    epochsCompleted: 1,
    epochsPlanned: 1,
    metrics: [],
    datasetName: 'folder',
    datasetFingerprint: 'f',
    fitsDataset,
    isDefault: false,
  };
}

/** The points already on screen: a failed reload must leave them as they are. */
const shown = {
  count: 0,
  latentDim: 2,
  ids: new Int32Array(),
  labels: new Int32Array(),
  labelNames: [],
  mu: new Float32Array(),
  view: new Float32Array(),
  projection: 'pca',
  modelEpoch: 1,
  generation: 0,
} as unknown as Stamped<Embeddings>;

function appWith(embeddings: () => Promise<Embeddings>, fits: boolean) {
  const { api, call } = fakeApi(embeddings);
  const app = new AppState(api, () => true);
  app.model = model(fits);
  app.embeddings = shown;
  return { app, call };
}

describe('AppState.loadEmbeddings', () => {
  it('a points request answered with mismatch while the model still seems to fit (the race) leaves no error and clears busy', async () => {
    const { app, call } = appWith(() => Promise.reject(new ApiError('mismatch', 'the model does not fit the open dataset')), true);
    await app.loadEmbeddings();
    expect(call).toHaveBeenCalledWith('embeddings', {});
    expect(app.notices.filter((n) => n.level === 'error')).toEqual([]);
    expect(app.busy).toBeNull();
    expect(app.embeddings).toBe(shown);
    expect(app.embeddingsFetches).toBe(0);
  });

  it.each([
    ['an ApiError of another code', new ApiError('internal', 'the engine fell over')],
    ['a plain Error', new Error('the engine fell over')],
  ])('a points request failing with %s is reported', async (_what, failure) => {
    const { app } = appWith(() => Promise.reject(failure), true);
    await app.loadEmbeddings();
    expect(app.notices.map((n) => [n.level, n.message])).toEqual([['error', 'the engine fell over']]);
    expect(app.busy).toBeNull();
    expect(app.embeddings).toBe(shown);
  });

  it('points stamped with another generation than the page holds (something else opened meanwhile) are dropped, not shown', async () => {
    // The page holds the first generation (0); the answer was computed for another opening.
    const late = { ...shown, count: 5, generation: 1 } as Stamped<Embeddings>;
    const { app } = appWith(async () => late, true);
    await app.loadEmbeddings();
    expect(app.embeddings).toBe(shown);
    expect(app.embeddingsFetches).toBe(0);
  });

  it('a points request the service refused as stale leaves no error', async () => {
    const { app } = appWith(() => Promise.reject(new ApiError('stale', 'another dataset or model was opened meanwhile: ask again')), true);
    await app.loadEmbeddings();
    expect(app.notices).toEqual([]);
    expect(app.embeddings).toBe(shown);
  });

  it('asks for no points of a model that does not fit the open dataset', async () => {
    const { app, call } = appWith(() => Promise.reject(new ApiError('mismatch', 'the model does not fit the open dataset')), false);
    await app.loadEmbeddings();
    expect(call).not.toHaveBeenCalled();
    expect(app.notices).toEqual([]);
    expect(app.busy).toBeNull();
    expect(app.embeddings).toBe(shown);
  });
});
