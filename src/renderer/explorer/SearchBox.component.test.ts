import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi } from '../shell/testing/fake-api';
import { withPoints } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import SearchBox from './SearchBox.svelte';

function setup(points = true) {
  const app = new AppState(fakeApi().api, () => true);
  if (points) withPoints(app);
  render(WithSlices, { props: { app, component: SearchBox } });
  return { app, box: screen.getByRole('searchbox', { name: 'Search the points' }) as HTMLInputElement };
}

const shownCount = (): string | null => screen.queryByTestId('search-count')?.textContent?.trim() ?? null;

describe('SearchBox', () => {
  it('cannot be used before there are points', () => {
    expect(setup(false).box.disabled).toBe(true);
  });

  it('says how many points match: a label name, an image range', async () => {
    const { box } = setup();
    expect(shownCount()).toBeNull();
    await fireEvent.input(box, { target: { value: 'one' } });
    expect(shownCount()).toBe('2 matches');
    await fireEvent.input(box, { target: { value: '#4' } });
    expect(shownCount()).toBe('1 match');
    await fireEvent.input(box, { target: { value: '#1-4' } });
    expect(shownCount()).toBe('4 matches');
  });

  it('a bad regular expression says so', async () => {
    const { box } = setup();
    await fireEvent.input(box, { target: { value: '/[/' } });
    expect(shownCount()).toBe('bad regex');
    expect(screen.queryByRole('button', { name: 'select' })).toBeNull();
  });

  it('Enter or the select button selects the matches; Esc clears the search', async () => {
    const { app, box } = setup();
    await fireEvent.input(box, { target: { value: 'two' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(app.selection.indices()).toEqual([4, 5]));
    await fireEvent.input(box, { target: { value: 'zero' } });
    await fireEvent.click(screen.getByRole('button', { name: 'select' }));
    await waitFor(() => expect(app.selection.indices()).toEqual([0, 1]));
    await fireEvent.keyDown(box, { key: 'Escape' });
    expect(box.value).toBe('');
    expect(shownCount()).toBeNull();
  });
});
