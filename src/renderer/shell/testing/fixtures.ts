/** Values of the contract as the service sends them, for the renderer's component tests. */
import {
  FIRST_GENERATION,
  idleTraining,
  type DatasetSummary,
  type Embeddings,
  type LibraryModel,
  type ModelSummary,
  type Status,
  type TrainingStatus,
} from '../../../shared/contract';
import type { AppState } from '../app.svelte';

export function mnist(overrides: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    name: 'MNIST',
    source: { kind: 'mnist' },
    count: 70000,
    trainCount: 60000,
    testCount: 10000,
    height: 28,
    width: 28,
    channels: 1,
    labelNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    fingerprint: 'mnist',
    skipped: [],
    ...overrides,
  };
}

export function model(overrides: Partial<ModelSummary> = {}): ModelSummary {
  return {
    dir: '/data/models/mlp-2',
    arch: 'mlp',
    latentDim: 2,
    likelihood: 'bernoulli',
    height: 28,
    width: 28,
    channels: 1,
    epochsCompleted: 3,
    epochsPlanned: 3,
    metrics: [],
    datasetName: 'MNIST',
    datasetFingerprint: 'mnist',
    fitsDataset: true,
    isDefault: false,
    ...overrides,
  };
}

export function status(overrides: Partial<Status> = {}): Status {
  return {
    backend: 'wasm',
    fallbacks: [],
    engine: { state: 'ready', restarts: 0, message: null },
    dataset: null,
    model: null,
    training: trainingStatus(),
    project: null,
    embeddingsReady: false,
    generation: FIRST_GENERATION,
    allowedRoots: ['/home/me/pictures'],
    dataDir: '/data',
    nativeDialogs: false,
    exportsDir: '/data/exports',
    ...overrides,
  };
}

/** The service's training status (idle unless overridden). */
export function trainingStatus(overrides: Partial<TrainingStatus> = {}): TrainingStatus {
  return { ...idleTraining(FIRST_GENERATION), ...overrides };
}

export function libraryModel(overrides: Partial<LibraryModel> = {}): LibraryModel {
  return {
    id: 'mlp-2',
    name: 'mlp-2',
    dataset: { name: 'MNIST', kind: 'mnist', path: null },
    height: 28,
    width: 28,
    channels: 1,
    arch: 'mlp',
    latentDim: 2,
    likelihood: 'bernoulli',
    epochs: 3,
    testLoss: 140.5,
    psnrDb: 18.2,
    testBpd: 0.26,
    date: '2026-12-01T10:20:00.000Z',
    readOnly: false,
    open: false,
    fitsDataset: true,
    ...overrides,
  };
}

/**
 * The points of a 2-D model, six images in three labels: (0, 0) (2, 0) · (0, 2) (2, 2) · (4, 4) (6, 4),
 * so group means and their differences are easy to read. The view is μ itself (the identity view).
 */
export function embeddings(overrides: Partial<Embeddings> = {}): Embeddings {
  const mu = Float32Array.of(0, 0, 2, 0, 0, 2, 2, 2, 4, 4, 6, 4);
  const count = mu.length / 2;
  const view = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) view.set([mu[i * 2], mu[i * 2 + 1], 0], i * 3);
  return {
    count,
    latentDim: 2,
    ids: Int32Array.from({ length: count }, (_, i) => i),
    labels: Int32Array.of(0, 0, 1, 1, 2, 2),
    labelNames: ['zero', 'one', 'two'],
    mu,
    view,
    projection: {
      kind: 'identity',
      latentDim: 2,
      mean: [0, 0],
      axes: [
        [1, 0],
        [0, 1],
        [0, 0],
      ],
      explained: [0.5, 0.5, 0],
    },
    modelEpoch: 3,
    ...overrides,
  };
}

/** The app as it is once a model's points arrived: the dataset, the model and the points in the view. */
export function withPoints(app: AppState, e: Embeddings = embeddings()): Embeddings {
  app.dataset = mnist({ labelNames: e.labelNames, count: e.count });
  app.model = model({ latentDim: e.latentDim });
  app.embeddings = { ...e, generation: FIRST_GENERATION };
  app.view.onEmbeddings(e);
  return e;
}
