import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { mnist, model } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import InterpolationPanel from './InterpolationPanel.svelte';

const frames: Images = { count: 2, height: 1, width: 1, channels: 1, pixels: new Uint8Array([0, 255]) };

function setup(withModel = true) {
  const fake = fakeApi({
    interpolate: (a) => ({ z: new Float32Array(a.frames * 2), frames: a.frames, latentDim: 2, images: a.decode ? frames : null }),
  });
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  if (withModel) app.model = model({ latentDim: 2 });
  render(WithSlices, { props: { app, component: InterpolationPanel } });
  return { app, fake };
}

async function addSpot(text: string): Promise<void> {
  await fireEvent.input(screen.getByTestId('kf-spot'), { target: { value: text } });
  await fireEvent.click(screen.getByRole('button', { name: 'Add spot' }));
}

const keyframeNames = (): string[] => screen.queryAllByTestId('keyframe').map((k) => k.querySelector('.name')?.textContent ?? '');

describe('InterpolationPanel', () => {
  it('without a model it only says what is needed', () => {
    setup(false);
    expect(screen.getByText('train or open a model to make paths')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add spot' })).toBeNull();
  });

  it('adds typed spots as keyframes; two make a path whose preview is asked for', async () => {
    const { fake } = setup();
    expect((screen.getByRole('button', { name: 'Add spot' }) as HTMLButtonElement).disabled).toBe(true);
    await addSpot('1, 2');
    await addSpot('-1 0.5');
    expect(keyframeNames()).toEqual(['spot (1.00, 2.00)', 'spot (-1.00, 0.50)']);
    await waitFor(() => expect(fake.argsOf('interpolate').length).toBeGreaterThan(0));
    const asked = fake.argsOf('interpolate').at(-1)!;
    expect(Array.from(asked.keyframes)).toEqual([1, 2, -1, 0.5]);
    expect(asked).toMatchObject({ mode: ['linear'], easing: 'linear', loop: 'none', decode: true });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Export…' })).toBeTruthy());
  });

  it('refuses a spot that is not numbers, with a notice, and adds nothing', async () => {
    const { app } = setup();
    await addSpot('north, east');
    expect(keyframeNames()).toEqual([]);
    expect(app.notices.map((n) => n.message)).toEqual(['a spot is up to 2 numbers separated by commas']);
  });

  it('a keyframe can be moved and removed', async () => {
    setup();
    await addSpot('1, 1');
    await addSpot('2, 2');
    await fireEvent.click(screen.getAllByRole('button', { name: 'later' })[0]);
    expect(keyframeNames()).toEqual(['spot (2.00, 2.00)', 'spot (1.00, 1.00)']);
    await fireEvent.click(screen.getAllByRole('button', { name: 'remove' })[1]);
    expect(keyframeNames()).toEqual(['spot (2.00, 2.00)']);
  });

  it("adds the 3D view's decoded point, named by its image number", async () => {
    const { app } = setup();
    const add = screen.getByTestId('kf-add-selection') as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    app.view.decoder.decoded = { z: Float32Array.from([0.5, -0.5]), view: null, image: frames, source: 'point', index: 4, label: 9, original: null, seq: 1 };
    await waitFor(() => expect(add.disabled).toBe(false));
    expect(add.textContent).toBe('Add image #4');
    await fireEvent.click(add);
    expect(keyframeNames()).toEqual(['#4 (9)']);
  });
});
