import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../../shared/contract';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { mnist, model } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import DecodePanel from './DecodePanel.svelte';

const image: Images = { count: 1, height: 2, width: 2, channels: 1, pixels: new Uint8Array([0, 64, 128, 255]) };

function setup(latentDim: number | null) {
  const fake = fakeApi({ decode: () => image });
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  // Nearest images are asked for only for a model that fits the open dataset: not these.
  if (latentDim !== null) app.model = model({ latentDim, fitsDataset: false });
  render(WithSlices, { props: { app, component: DecodePanel } });
  return { app, fake };
}

const decodeButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Decode the typed latent vector' }) as HTMLButtonElement;

describe('DecodePanel', () => {
  it('without a model, nothing can be decoded and the panel says how to start', () => {
    setup(null);
    expect(decodeButton().disabled).toBe(true);
    expect(screen.getByText('Click a point or an empty spot of the view, or type a latent vector.')).toBeTruthy();
  });

  it('decodes the typed vector and shows it as a typed latent', async () => {
    const { fake } = setup(2);
    await fireEvent.input(screen.getByRole('textbox', { name: 'latent vector: 2 numbers' }), { target: { value: '[1.5; -2]' } });
    await fireEvent.click(decodeButton());
    expect(fake.argsOf('decode').map((a) => Array.from(a.z))).toEqual([[1.5, -2]]);
    await waitFor(() => expect(screen.getByTestId('decoded-source').textContent).toBe('Typed latent'));
    expect(screen.getByTestId('decoded-z').textContent?.trim()).toBe('z = [1.500, -2.000]');
  });

  it("starts empty, with the model's size of zeros as the placeholder (not a prefilled 2-d vector)", () => {
    setup(3);
    const box = screen.getByRole('textbox', { name: 'latent vector: 3 numbers' }) as HTMLInputElement;
    expect(box.value).toBe('');
    expect(box.placeholder).toBe('0, 0, 0');
  });

  it('refuses a vector of another length or with a part that is not a number, saying so, and decodes nothing', async () => {
    const { fake } = setup(3);
    const box = screen.getByRole('textbox', { name: 'latent vector: 3 numbers' });
    await fireEvent.input(box, { target: { value: '7, 1' } });
    await fireEvent.click(decodeButton());
    expect(screen.getByTestId('decode-z-error').textContent).toBe("the model's latent vector has 3 numbers, not 2: type 3 numbers separated by commas");
    await fireEvent.input(box, { target: { value: '7, x, 1' } });
    await fireEvent.click(decodeButton());
    expect(screen.getByTestId('decode-z-error').textContent).toBe('"x" is not a number: type 3 numbers separated by commas');
    expect(fake.argsOf('decode')).toEqual([]);
  });

  it('a decoded training image shows its number, label and file', async () => {
    const { app } = setup(2);
    app.files = ['cats/tabby.png', 'dogs/rex.png'];
    app.view.decoder.decoded = { z: Float32Array.from([0.25, 0.5]), view: null, image, source: 'point', index: 1, label: 7, original: image, seq: 1 };
    await waitFor(() => expect(screen.getByTestId('decoded-source').textContent).toBe('Image #1'));
    expect(screen.getByTestId('decoded-file').textContent).toBe('rex.png in dogs');
    expect(screen.getByText('7', { selector: '.chip' })).toBeTruthy();
    expect(screen.getByTestId('reconstruction-pair')).toBeTruthy();
  });

  describe('how far the decoded spot lies from the data', () => {
    // A 2-d model whose fitted density is one unit Gaussian at (1, 1), shown in the identity view.
    const density = {
      dim: 2,
      weights: Float64Array.of(1),
      means: Float64Array.of(1, 1),
      covariances: Float64Array.of(1, 0, 0, 1),
      heldOutLogLikelihood: null,
      fittedOn: 100,
    };
    function setupWithDensity() {
      const fake = fakeApi({ decode: () => image });
      const app = new AppState(fake.api, () => true);
      app.dataset = mnist();
      app.model = model({ latentDim: 2, fitsDataset: false, latentDensity: density });
      const empty = new Float32Array(0);
      app.view.linear = {
        kind: 'identity',
        latentDim: 2,
        mean: [0, 0],
        axes: [
          [1, 0],
          [0, 1],
          [0, 0],
        ],
        explained: [0.5, 0.5, 0],
      };
      app.view.layout = {
        ...{ source: 'embeddings', kind: 'identity', count: 0, latentDim: 2, view: empty, mu: empty, ids: new Int32Array(0), labels: new Int32Array(0) },
        ...{ labelNames: [], version: 1, animateMs: 0, frame: false },
      };
      render(WithSlices, { props: { app, component: DecodePanel } });
      return app;
    }

    it('a spot in the cloud is inside the data', async () => {
      const app = setupWithDensity();
      app.view.clickSpace([1.5, 0.5, 0]);
      await waitFor(() => expect(screen.getByTestId('decoded-distance').textContent).toBe('inside the data'));
    });

    it('a spot past the data says how many σ away it lies', async () => {
      const app = setupWithDensity();
      // (1, 1) + (3, 4): a Mahalanobis distance of 5 under the unit covariance.
      app.view.clickSpace([4, 5, 0]);
      await waitFor(() => expect(screen.getByTestId('decoded-distance').textContent).toBe('5.0σ from the data'));
    });

    it('a model without a density says nothing about it', async () => {
      setup(2);
      await fireEvent.input(screen.getByRole('textbox', { name: 'latent vector: 2 numbers' }), { target: { value: '9, 9' } });
      await fireEvent.click(decodeButton());
      await waitFor(() => expect(screen.getByTestId('decoded-source').textContent).toBe('Typed latent'));
      expect(screen.queryByTestId('decoded-distance')).toBeNull();
    });
  });
});
