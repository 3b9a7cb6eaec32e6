import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Images } from '../../shared/contract';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ArithmeticPanel from './ArithmeticPanel.svelte';

function setup(points = true) {
  const fake = fakeApi({ decode: ({ z }) => ({ count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(z.length) }) as Images });
  const app = new AppState(fake.api, () => true);
  if (points) withPoints(app);
  render(WithSlices, { props: { app, component: ArithmeticPanel } });
  return { app, fake };
}

/** Chooses the options named `names` in a multiple select, as a user's ctrl+clicks do. */
async function choose(testid: string, names: string[]): Promise<void> {
  const select = screen.getByTestId(testid) as HTMLSelectElement;
  for (const option of Array.from(select.options)) option.selected = names.includes(option.textContent ?? '');
  await fireEvent.change(select);
}

async function slide(t: number): Promise<void> {
  await fireEvent.input(screen.getByRole('slider', { name: 'how far along the direction' }), { target: { value: String(t) } });
}

// The fixture's labels: zero = (0, 0) (2, 0), one = (0, 2) (2, 2), two = (4, 4) (6, 4).
describe('ArithmeticPanel', () => {
  it('needs the points of a model', () => {
    setup(false);
    expect(screen.getByText('needs the points of a model')).toBeTruthy();
    expect(screen.queryByRole('slider')).toBeNull();
  });

  it('two labels give the direction between their means; the slider decodes the first image of A moved along it', async () => {
    const { fake } = setup();
    expect((screen.getByRole('slider') as HTMLInputElement).disabled).toBe(true);
    await choose('arith-a', ['zero']);
    await choose('arith-b', ['one']);
    expect(screen.getByTestId('arith-direction').textContent?.replace(/\s+/g, ' ').trim()).toBe('direction mean(B) − mean(A) of 2 and 2 points, length 2.000');
    expect(screen.getByText('image #0 + t·(B − A)')).toBeTruthy();
    await slide(1.5);
    await waitFor(() => expect(fake.argsOf('decode').map((a) => Array.from(a.z))).toEqual([[0, 3]]));
    expect(screen.getByTestId('arith-t-value').textContent).toBe('t = 1.50');
    expect(screen.getByTestId('arith-requests').textContent).toBe('1');
  });

  it('starts from a typed image number, and says when there is no such image', async () => {
    const { app, fake } = setup();
    await choose('arith-a', ['zero']);
    await choose('arith-b', ['two']);
    await fireEvent.input(screen.getByPlaceholderText('image #'), { target: { value: '99' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start here' }));
    expect(app.notices.map((n) => n.message)).toEqual(['there is no image #99']);
    await fireEvent.input(screen.getByPlaceholderText('image #'), { target: { value: '3' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start here' }));
    expect(screen.getByText('image #3 + t·(B − A)')).toBeTruthy();
    await slide(0.5);
    // mean(two) − mean(zero) = (5, 4) − (1, 0) = (4, 4); image 3 is (2, 2).
    await waitFor(() => expect(fake.argsOf('decode').map((a) => Array.from(a.z))).toEqual([[4, 4]]));
  });

  it('adds the moved point as a keyframe', async () => {
    const { app } = setup();
    await choose('arith-a', ['one']);
    await choose('arith-b', ['zero']);
    await slide(-1);
    await fireEvent.click(screen.getByRole('button', { name: 'Add as keyframe' }));
    expect(app.animation.keyframes.map((k) => Array.from(k.z))).toEqual([[0, 4]]);
  });

  it('A→B becomes the x axis of the view (a custom axis)', async () => {
    const { app } = setup();
    expect(screen.getByTestId('arith-axis')).toHaveProperty('disabled', true);
    await choose('arith-a', ['zero']);
    await choose('arith-b', ['one']);
    await fireEvent.click(screen.getByTestId('arith-axis'));
    await waitFor(() => expect(app.view.customAxis?.what).toBe('A→B'));
    // mean(one) − mean(zero) = (0, 2): x is its unit vector.
    expect(app.view.linear!.axes[0]).toEqual([0, 1]);
  });
});
