/**
 * The app's start: the side bars' panels are their own chunk (side-panels.ts), loaded after the first
 * view; every one of them must still appear, in order, in its side bar.
 */
import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { FakeApi } from './shell/testing/fake-api';
import { fakeApi } from './shell/testing/fake-api';
import { status } from './shell/testing/fixtures';
import { LEFT_PANELS, RIGHT_PANELS } from './side-panels';
import App from './App.svelte';

const fake = vi.hoisted(() => ({ current: null as FakeApi | null }));
vi.mock('./lib/api', async (original) => ({
  ...(await original<typeof import('./lib/api')>()),
  getApi: () => fake.current!.api,
}));

/** Each panel's title, top to bottom: the first heading of each panel in the side bar. */
const panelTitles = (sideBar: HTMLElement): string[] =>
  [...sideBar.querySelectorAll(':scope > section.panel')].map((panel) => panel.querySelector('h2')?.textContent?.trim() ?? '(untitled)');

describe('App', () => {
  it('shows every side panel once their chunk has loaded (nothing open: at once after the status)', async () => {
    fake.current = fakeApi({ status: () => status() });
    render(App);
    const left = screen.getByRole('complementary', { name: 'Data and training' });
    const right = screen.getByRole('complementary', { name: 'Inspector' });
    await waitFor(() => expect(panelTitles(left)).toHaveLength(LEFT_PANELS.length), { timeout: 10_000 });
    await waitFor(() => expect(panelTitles(right)).toHaveLength(RIGHT_PANELS.length), { timeout: 10_000 });
    expect(panelTitles(left)).toEqual(['Dataset', 'Training', 'Model library', 'Project', 'Bookmarks']);
    expect(panelTitles(right).slice(0, 3)).toEqual(['Decoded image', 'Directions', 'Autopilot']);
    expect(panelTitles(right).at(-1)).toBe('Latent arithmetic');
  });
});
