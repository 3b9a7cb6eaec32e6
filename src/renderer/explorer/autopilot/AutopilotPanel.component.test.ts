import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Images } from '../../../shared/contract';
import { AppState } from '../../shell/app.svelte';
import { escStack } from '../../shell/esc-stack';
import { fakeApi } from '../../shell/testing/fake-api';
import { model, withPoints } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import { RECORD_EVERY_MS, TICK_MS } from './autopilot.svelte';
import AutopilotPanel from './AutopilotPanel.svelte';

function setup() {
  const fake = fakeApi({ decode: ({ z }) => ({ count: 1, height: 1, width: 1, channels: 1, pixels: Uint8Array.of(z.length) }) as Images });
  const app = new AppState(fake.api, () => true);
  withPoints(app);
  const view = render(WithSlices, { props: { app, component: AutopilotPanel } });
  return { app, fake, view };
}

const group = (): HTMLElement => screen.getByTestId('autopilot');
const startButton = (): HTMLButtonElement => group().querySelector('[data-testid=autopilot-start]')!;
const recordButton = (): HTMLButtonElement => group().querySelector('[data-testid=autopilot-record]')!;
/** Lets the walk run for `ms` (the interval is faked; the decode answers are promises, flushed between ticks). */
async function walkFor(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += TICK_MS) {
    vi.advanceTimersByTime(TICK_MS);
    await Promise.resolve();
    await Promise.resolve();
  }
}

describe('AutopilotPanel', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => vi.useRealTimers());

  it('has its start button, speed range and record toggle inside the `autopilot` group', () => {
    setup();
    expect(startButton().textContent).toBe('Start');
    expect(group().querySelectorAll('input[type=range]').length).toBe(1);
    expect(recordButton().getAttribute('aria-pressed')).toBe('false');
  });

  it('walks while started, a new latent decoded each step, its trail drawn, and leaves no timer once stopped', async () => {
    const { app, fake } = setup();
    await fireEvent.click(startButton());
    expect(startButton().getAttribute('aria-pressed')).toBe('true');
    await walkFor(10 * TICK_MS);
    const decodes = fake.argsOf('decode').map((a) => Array.from(a.z));
    expect(decodes.length).toBeGreaterThanOrEqual(3);
    expect(new Set(decodes.map((z) => z.join())).size).toBe(decodes.length);
    expect(vi.getTimerCount()).toBe(1);
    // Its trail is drawn over the view: the start and each step since.
    expect(app.view.pathOverlay?.points.length).toBe(11 * 3);
    await fireEvent.click(startButton());
    expect(startButton().textContent).toBe('Start');
    // Stopped, the view shows the animation's path again (none here).
    expect(app.view.pathOverlay).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    const after = fake.argsOf('decode').length;
    await walkFor(5 * TICK_MS);
    expect(fake.argsOf('decode').length).toBe(after);
  });

  it('records the walk into keyframes that become the animation’s when it stops', async () => {
    const { app } = setup();
    app.animation.add(Float32Array.of(9, 9));
    await fireEvent.click(recordButton());
    await fireEvent.click(startButton());
    await walkFor(5 * RECORD_EVERY_MS);
    const recorded = Number(screen.getByTestId('autopilot-recorded').textContent);
    expect(recorded).toBeGreaterThanOrEqual(4);
    expect(app.view.pathOverlay?.keyframes?.length).toBe(recorded * 3);
    expect(app.animation.keyframes.map((k) => Array.from(k.z))).toEqual([[9, 9]]);
    await fireEvent.click(startButton());
    expect(app.animation.keyframes.length).toBe(recorded);
    expect(app.animation.keyframes.some((k) => k.z[0] === 9 && k.z[1] === 9)).toBe(false);
    expect(recordButton().getAttribute('aria-pressed')).toBe('false');
  });

  it('the speed range sets how fast it walks', async () => {
    setup();
    await fireEvent.input(group().querySelector('input[type=range]')!, { target: { value: '2' } });
    expect(group().textContent).toContain('2.00σ/s');
  });

  it('stops, dropping its recording, when another model opens', async () => {
    const { app } = setup();
    await fireEvent.click(recordButton());
    await fireEvent.click(startButton());
    await walkFor(3 * RECORD_EVERY_MS);
    app.model = model({ dir: '/data/models/another', latentDim: 2 });
    await walkFor(TICK_MS);
    expect(startButton().textContent).toBe('Start');
    expect(vi.getTimerCount()).toBe(0);
    expect(app.animation.keyframes.length).toBe(0);
  });

  it('stops when the view turns to a training’s live view (its spots cannot be decoded)', async () => {
    const { app } = setup();
    await fireEvent.click(startButton());
    await walkFor(2 * TICK_MS);
    const mu = Float32Array.of(0, 0, 1, 1);
    app.view.onSnapshot({
      runId: 'r',
      epoch: 0,
      step: 1,
      globalStep: 1,
      latentDim: 2,
      count: 2,
      ids: Int32Array.of(0, 1),
      labels: Int32Array.of(0, 1),
      mu,
      view: new Float32Array(6),
      projection: 'identity',
    });
    await walkFor(TICK_MS);
    expect(startButton().textContent).toBe('Start');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops on Esc', async () => {
    setup();
    await fireEvent.click(startButton());
    await walkFor(2 * TICK_MS);
    expect(escStack.press()).toBe(true);
    await walkFor(TICK_MS);
    expect(startButton().textContent).toBe('Start');
    expect(vi.getTimerCount()).toBe(0);
    expect(escStack.depth).toBe(0);
  });

  it('stops when its panel goes away', async () => {
    const { view } = setup();
    await fireEvent.click(startButton());
    await walkFor(2 * TICK_MS);
    expect(vi.getTimerCount()).toBe(1);
    view.unmount();
    expect(vi.getTimerCount()).toBe(0);
    expect(escStack.depth).toBe(0);
  });
});
