/** The side panels' chunk cannot be loaded (a broken install, a file removed): the page says so. */
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { FakeApi } from './shell/testing/fake-api';
import { fakeApi } from './shell/testing/fake-api';
import { status } from './shell/testing/fixtures';
import App from './App.svelte';

const fake = vi.hoisted(() => ({ current: null as FakeApi | null }));
vi.mock('./lib/api', async (original) => ({
  ...(await original<typeof import('./lib/api')>()),
  getApi: () => fake.current!.api,
}));
vi.mock('./side-panels', () => {
  throw new Error('Failed to fetch dynamically imported module: ./assets/side-panels.js');
});

describe('App without its side panels', () => {
  it('tells the user the panels could not be loaded, and the view stays', async () => {
    fake.current = fakeApi({ status: () => status() });
    render(App);
    expect(await screen.findByText(/The side panels could not be loaded \(.+\): reload the window\./, {}, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByRole('main', { name: 'Latent space' })).toBeTruthy();
  });
});
