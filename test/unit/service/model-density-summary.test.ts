import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/service/workspace';
import { ModelSummarySchema } from '../../../src/shared/contract';
import type { LatentDensity } from '../../../src/shared/latent-density';
import { modelInfo } from './fake-engine';

const density: LatentDensity = {
  dim: 2,
  weights: Float64Array.of(1),
  means: Float64Array.of(0.5, -0.5),
  covariances: Float64Array.of(2, 0.1, 0.1, 1),
  heldOutLogLikelihood: -3,
  fittedOn: 10,
};

function workspace(): Workspace {
  const events = { emit: () => {} };
  return new Workspace(null as never, events as never, null as never, () => null);
}

describe('the open model’s summary', () => {
  it('carries the model’s latent density to the renderer (checked by the contract’s schema)', () => {
    const w = workspace();
    w.setModel({ ...modelInfo('/m', 2), latentDensity: density }, false);
    const summary = ModelSummarySchema.parse(w.modelSummary());
    expect(summary.latentDensity).toEqual(density);
  });

  it('has none for a model without one', () => {
    const w = workspace();
    w.setModel(modelInfo('/m', 2), false);
    expect(ModelSummarySchema.parse(w.modelSummary())).not.toHaveProperty('latentDensity');
  });
});
