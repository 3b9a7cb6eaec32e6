import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { libraryModel, mnist, model } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ViewEmptyState from './ViewEmptyState.svelte';

function setup() {
  const fake = fakeApi({ modelOpen: ({ id }) => ({ id, dataset: 'opened', folder: null }), modelsList: () => ({ models: [], unreadable: [] }) });
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: ViewEmptyState } });
  return { app, fake };
}

describe('ViewEmptyState', () => {
  it('says what the view is waiting for: a dataset, then a model, then the points', async () => {
    const { app } = setup();
    expect(screen.getByText('Open a dataset to see it here.')).toBeTruthy();
    app.dataset = mnist({ count: 700 });
    await waitFor(() => expect(screen.getByText('Train a model: its latent space will form here as it learns.')).toBeTruthy());
    app.model = model();
    await waitFor(() => expect(screen.getByText('Embedding 700 images…')).toBeTruthy());
  });

  it('a model that does not fit the dataset is said at once, with the models that fit', async () => {
    const { app, fake } = setup();
    app.dataset = mnist();
    app.model = model({ height: 32, width: 32, channels: 3, fitsDataset: false });
    app.library.models = [
      libraryModel({ id: 'digits', name: 'digits' }),
      libraryModel({ id: 'faces', name: 'faces', fitsDataset: false }),
      libraryModel({ id: 'open-one', name: 'open-one', open: true }),
    ];
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The open model takes 32×32 colour images, but MNIST has 28×28 grey images: it cannot show them.');
    expect(screen.getAllByTestId('mismatch-open-model').map((b) => b.textContent)).toEqual(['digits (mlp, d=2)']);
    await fireEvent.click(screen.getByRole('button', { name: 'digits (mlp, d=2)' }));
    await waitFor(() => expect(fake.argsOf('modelOpen')).toEqual([{ id: 'digits' }]));
  });
});
