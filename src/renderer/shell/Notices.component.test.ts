import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppState } from './app.svelte';
import { fakeApi } from './testing/fake-api';
import WithSlices from './testing/WithSlices.svelte';
import Notices from './Notices.svelte';
import { NOTICE_LIFETIME_MS } from './notice-list';

function setup(): AppState {
  const app = new AppState(fakeApi().api, () => true);
  render(WithSlices, { props: { app, component: Notices } });
  return app;
}

describe('Notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows an identical notice once, with how many times it was raised', async () => {
    const app = setup();
    for (let i = 0; i < 3; i++) app.notify('warning', 'autosave failed: disk full');
    await tick();
    const notices = screen.getAllByTestId('notice');
    expect(notices).toHaveLength(1);
    expect(screen.getByTestId('notice-count').textContent).toBe('×3');
  });

  it('takes an informational notice away by itself and keeps an error until it is dismissed', async () => {
    const app = setup();
    app.notify('error', 'engine crashed');
    app.notify('info', 'project saved to /p');
    await tick();
    expect(screen.getAllByTestId('notice')).toHaveLength(2);
    vi.advanceTimersByTime(NOTICE_LIFETIME_MS.info! + 1);
    await tick();
    expect(screen.getAllByTestId('notice').map((n) => n.getAttribute('role'))).toEqual(['alert']);
    vi.advanceTimersByTime(10 * 60_000);
    await tick();
    expect(screen.getAllByTestId('notice')).toHaveLength(1);
    screen.getByRole('button', { name: 'dismiss' }).click();
    await tick();
    expect(screen.queryAllByTestId('notice')).toHaveLength(0);
  });

  it('a notice raised again lives from the last time it was raised', async () => {
    const app = setup();
    app.notify('info', 'points saved');
    vi.advanceTimersByTime(NOTICE_LIFETIME_MS.info! - 100);
    app.notify('info', 'points saved');
    vi.advanceTimersByTime(200);
    await tick();
    expect(screen.getAllByTestId('notice')).toHaveLength(1);
    vi.advanceTimersByTime(NOTICE_LIFETIME_MS.info!);
    await tick();
    expect(screen.queryAllByTestId('notice')).toHaveLength(0);
  });
});
