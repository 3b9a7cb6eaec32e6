import { render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api';
import { AppState } from '../shell/app.svelte';
import { fakeApi, type Answers } from '../shell/testing/fake-api';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ModelSamples from './ModelSamples.svelte';

/** The strips watched for coming on screen; `scrollIntoView` says they did (happy-dom lays nothing out). */
const watched: { callback: IntersectionObserverCallback; target: Element | null }[] = [];

class StubObserver {
  private entry: (typeof watched)[number];
  constructor(callback: IntersectionObserverCallback) {
    this.entry = { callback, target: null };
    watched.push(this.entry);
  }
  observe(target: Element): void {
    this.entry.target = target;
  }
  disconnect(): void {
    this.entry.target = null;
  }
}

function scrollIntoView(): void {
  for (const w of watched)
    if (w.target) w.callback([{ isIntersecting: true, target: w.target } as IntersectionObserverEntry], w as unknown as IntersectionObserver);
}

beforeEach(() => {
  watched.length = 0;
  vi.stubGlobal('IntersectionObserver', StubObserver);
});
afterEach(() => vi.unstubAllGlobals());

function setup(answers: Answers) {
  const fake = fakeApi(answers);
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: ModelSamples, props: { id: 'digits', date: '2026-12-01T10:20:00.000Z', name: 'digits' } } });
  return { fake };
}

const strip = (count: number) => ({ count, height: 2, width: 2, channels: 1 as const, pixels: new Uint8Array(count * 4) });

describe('ModelSamples', () => {
  it('asks for the strip only once the row is on screen, then shows its images', async () => {
    const { fake } = setup({ modelSamples: ({ id }) => ({ id, images: strip(5) }) });
    // Placeholders until then, and nothing asked.
    expect(screen.getAllByTestId('library-sample')).toHaveLength(8);
    expect(fake.argsOf('modelSamples')).toEqual([]);
    scrollIntoView();
    await waitFor(() => expect(screen.getAllByTestId('library-sample')).toHaveLength(5));
    expect(fake.argsOf('modelSamples')).toEqual([{ id: 'digits' }]);
    await waitFor(() => expect(screen.getByLabelText('Samples of digits').getAttribute('aria-busy')).toBe('false'));
  });

  it('says why a model cannot be sampled', async () => {
    setup({
      modelSamples: () => {
        throw new ApiError('bad-input', 'its weights are missing');
      },
    });
    scrollIntoView();
    expect((await screen.findByTestId('library-samples-reason')).textContent).toBe('no samples: its weights are missing');
    expect(screen.queryAllByTestId('library-sample')).toHaveLength(0);
  });
});
