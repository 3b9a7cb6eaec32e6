import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Embeddings } from '../../../shared/contract';
import { FIRST_GENERATION } from '../../../shared/generation';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { embeddings as fixtureEmbeddings, mnist, model } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import type { Layout } from '../layout';
import MosaicControls from './MosaicControls.svelte';

const count = 3;
// Three points, one per label, all at the origin (the fixture's identity projection of d = 2).
const embeddings: Embeddings = fixtureEmbeddings({
  count,
  ids: Int32Array.of(0, 1, 2),
  labels: Int32Array.of(0, 1, 2),
  labelNames: ['a', 'b', 'c'],
  mu: new Float32Array(count * 2),
  view: new Float32Array(count * 3),
  modelEpoch: 1,
});
const layout = (source: Layout['source'], ids = Int32Array.of(0, 1, 2)): Layout => ({
  ...{ source, kind: 'identity', count, latentDim: 2, view: embeddings.view, mu: embeddings.mu, ids, labels: embeddings.labels },
  ...{ labelNames: embeddings.labelNames, version: 1, animateMs: 0, frame: false },
});

function setup(withPoints: boolean, live = false) {
  const fake = fakeApi();
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  app.model = model({ latentDim: 2 });
  if (withPoints) app.embeddings = { ...embeddings, generation: FIRST_GENERATION };
  render(WithSlices, { props: { app, component: MosaicControls, props: { live } } });
  return { app, mosaic: app.view.mosaic };
}

describe('MosaicControls', () => {
  it('turns the mosaic on, shows its size slider, and hands the scene its options for the dataset’s own points', async () => {
    const { mosaic } = setup(true);
    expect(screen.queryByTestId('mosaic-size')).toBeNull();
    expect(mosaic.sceneOptions(layout('embeddings'))).toBeNull();
    await fireEvent.click(screen.getByTestId('mosaic-toggle'));
    expect(mosaic.enabled).toBe(true);
    expect(screen.getByTestId('mosaic-toggle').getAttribute('aria-pressed')).toBe('true');
    // The slider is in octaves: 1 is twice the default size.
    await fireEvent.input(screen.getByTestId('mosaic-size'), { target: { value: '1' } });
    expect(mosaic.size).toBe(2);
    expect(mosaic.sceneOptions(layout('embeddings'))).toMatchObject({ size: 2 });
    // A training snapshot (a sample: its indices are not the atlases') or points out of order get dots.
    expect(mosaic.sceneOptions(layout('snapshot'))).toBeNull();
    expect(mosaic.sceneOptions(layout('embeddings', Int32Array.of(5, 9, 12)))).toBeNull();
  });

  it('turns the decoded map on and off', async () => {
    const { mosaic } = setup(true);
    await fireEvent.click(screen.getByTestId('decoded-map-toggle'));
    expect(mosaic.decodedMap.enabled).toBe(true);
    await fireEvent.click(screen.getByTestId('decoded-map-toggle'));
    expect(mosaic.decodedMap.enabled).toBe(false);
  });

  it('offers neither without points', () => {
    setup(false);
    expect((screen.getByTestId('mosaic-toggle') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('decoded-map-toggle') as HTMLButtonElement).disabled).toBe(true);
  });

  it('is off on the live view', () => {
    setup(true, true);
    expect((screen.getByTestId('mosaic-toggle') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('decoded-map-toggle') as HTMLButtonElement).disabled).toBe(true);
  });
});
