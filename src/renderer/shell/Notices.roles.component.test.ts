import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from './app.svelte';
import { fakeApi } from './testing/fake-api';
import { status } from './testing/fixtures';
import WithSlices from './testing/WithSlices.svelte';
import Notices from './Notices.svelte';
import { MAX_NOTICES } from './notice-list';

function setup() {
  const fake = fakeApi({ status: () => status() });
  const app = new AppState(fake.api, () => true);
  render(WithSlices, { props: { app, component: Notices } });
  return { app, fake };
}

const shown = (): string[] => screen.queryAllByTestId('notice').map((n) => n.textContent?.replace('×', '').trim() ?? '');

describe('Notices', () => {
  it('shows what the app says; an error is announced as an alert, the rest as status', async () => {
    const { app } = setup();
    app.notify('info', 'project saved');
    app.notify('error', 'decode failed');
    await waitFor(() => expect(shown()).toEqual(['project saved', 'decode failed']));
    expect(screen.getByRole('alert').textContent).toContain('decode failed');
    expect(screen.getByRole('status').textContent).toContain('project saved');
  });

  it('shows the notices the service sends', async () => {
    const { app, fake } = setup();
    await app.init();
    fake.emit('notice', { level: 'warning', message: 'the folder has 3 unreadable images' });
    await waitFor(() => expect(shown()).toEqual(['the folder has 3 unreadable images']));
  });

  it('the × dismisses one notice', async () => {
    const { app } = setup();
    app.notify('info', 'first');
    app.notify('info', 'second');
    const second = (await screen.findAllByTestId('notice'))[1];
    await fireEvent.click(within(second).getByRole('button', { name: 'dismiss' }));
    await waitFor(() => expect(shown()).toEqual(['first']));
  });

  it(`keeps the latest ${MAX_NOTICES}`, async () => {
    const { app } = setup();
    for (let i = 1; i <= 10; i++) app.notify('info', `notice ${i}`);
    await waitFor(() => expect(shown()).toEqual(Array.from({ length: MAX_NOTICES }, (_, i) => `notice ${i + 11 - MAX_NOTICES}`)));
  });
});
