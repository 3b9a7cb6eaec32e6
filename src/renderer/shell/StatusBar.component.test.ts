import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Status } from '../../shared/contract';
import { AppState } from './app.svelte';
import { fakeApi } from './testing/fake-api';
import { status } from './testing/fixtures';
import WithSlices from './testing/WithSlices.svelte';
import StatusBar from './StatusBar.svelte';

async function setup(first: Status = status()) {
  // What the service says when asked; a test changes it as the service's state changes.
  let reported = first;
  const fake = fakeApi({ status: () => reported });
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: StatusBar } });
  await app.init();
  return { app, fake, report: (next: Status) => (reported = next) };
}

const text = (testid: string): string | null => screen.queryByTestId(testid)?.textContent?.trim() ?? null;

describe('StatusBar', () => {
  it('shows the backend and the engine’s state as the service reports them', async () => {
    await setup(status({ backend: 'tensorflow', engine: { state: 'ready', restarts: 2, message: null, pid: 4242 } }));
    await waitFor(() => expect(text('backend')).toBe('tensorflow'));
    expect(text('engine-state')).toBe('ready');
    expect(text('engine-restarts')).toBe('2');
    expect(text('engine-pid')).toBe('4242');
    expect(text('backend-fallbacks')).toBeNull();
    expect(text('backend-adapter')).toBeNull();
  });

  it('names the adapter the webgpu backend runs on, and no adapter for the others', async () => {
    await setup(status({ backend: 'webgpu', adapter: 'NVIDIA GeForce RTX 4090' }));
    await waitFor(() => expect(text('backend-adapter')).toBe('on NVIDIA GeForce RTX 4090'));
    expect(text('backend')).toBe('webgpu');
  });

  it('says which backends were passed over, and why', async () => {
    await setup(status({ fallbacks: ['tensorflow: tfjs-node is not installed'] }));
    await waitFor(() => expect(text('backend-fallbacks')).toBe('passed over: tensorflow: tfjs-node is not installed'));
  });

  it('tells of no GPU (the entry the engine marks noGpu) in the tooltip only, and of a failing GPU as a warning', async () => {
    const none = 'webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)';
    const { report, fake } = await setup(status({ backend: 'tensorflow', fallbacks: [none, 'wasm: x'], noGpu: none }));
    await waitFor(() => expect(screen.getByTestId('backend').parentElement?.title).toBe(`passed over: ${none}`));
    expect(text('backend-fallbacks')).toBe('passed over: wasm: x');
    // The same words unmarked (a GPU the engine found but could not use) are a warning.
    report(status({ backend: 'tensorflow', fallbacks: [none] }));
    fake.emit('engine', { state: 'ready', message: null, restarts: 1, restarted: true });
    await waitFor(() => expect(text('backend-fallbacks')).toBe(`passed over: ${none}`));
    expect(screen.getByTestId('backend').parentElement?.title).toBe('');
  });

  it('follows the engine: a crash and its message, then the restart', async () => {
    const { fake, report } = await setup();
    report(status({ engine: { state: 'crashed', restarts: 0, message: 'the engine exited (code 1)' } }));
    fake.emit('engine', { state: 'crashed', message: 'the engine exited (code 1)', restarts: 0, restarted: false });
    await waitFor(() => expect(text('engine-state')).toBe('crashed'));
    expect(text('engine-message')).toBe('the engine exited (code 1)');
    report(status({ engine: { state: 'ready', restarts: 1, message: null } }));
    fake.emit('engine', { state: 'ready', message: null, restarts: 1, restarted: true });
    await waitFor(() => expect(text('engine-state')).toBe('ready'));
    expect(text('engine-restarts')).toBe('1');
    expect(text('engine-message')).toBeNull();
  });

  it('shows the work in progress and a lost connection', async () => {
    const { app } = await setup();
    expect(text('busy')).toBeNull();
    app.busy = 'Loading points…';
    app.connection = 'closed';
    await waitFor(() => expect(text('busy')).toBe('Loading points…'));
    expect(text('connection')).toBe('disconnected — retrying');
  });
});
