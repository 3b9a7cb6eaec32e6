import { tick } from 'svelte';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppState } from '../shell/app.svelte';
import { fakeApi, type Answers } from '../shell/testing/fake-api';
import { mnist, trainingStatus } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import DatasetPanel from './DatasetPanel.svelte';

function setup(answers: Answers = {}, ask: (q: string) => boolean = () => true) {
  const fake = fakeApi({ openDataset: () => mnist(), ...answers });
  const questions: string[] = [];
  const app = new AppState(fake.api, (q) => {
    questions.push(q);
    return ask(q);
  });
  render(WithSlices, { props: { app, component: DatasetPanel } });
  return { app, fake, questions };
}

describe('DatasetPanel', () => {
  it('opens MNIST with one click', async () => {
    const { fake } = setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Open the MNIST dataset' }));
    expect(fake.argsOf('openDataset')).toEqual([{ source: { kind: 'mnist' } }]);
  });

  it('opens a typed folder; Open stays disabled until a path is typed', async () => {
    const { fake } = setup();
    const open = screen.getByRole('button', { name: 'Open' });
    expect((open as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByRole('textbox', { name: 'Path of an image folder' }), { target: { value: ' /home/me/pictures/cats ' } });
    expect((open as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(open);
    expect(fake.argsOf('openDataset')).toEqual([{ source: { kind: 'folder', path: '/home/me/pictures/cats', background: 'white' } }]);
  });

  describe('transparent areas', () => {
    const openFolder = async (): Promise<void> => {
      await fireEvent.input(screen.getByRole('textbox', { name: 'Path of an image folder' }), { target: { value: '/pics' } });
      await fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    };
    const kind = (): HTMLSelectElement => screen.getByRole('combobox', { name: 'Transparent areas of the images' }) as HTMLSelectElement;

    it('White by default; Black is sent as the folder source background', async () => {
      const { fake } = setup();
      expect(kind().value).toBe('white');
      expect(screen.queryByLabelText('Colour of the transparent areas')).toBeNull();
      await fireEvent.change(kind(), { target: { value: 'black' } });
      await openFolder();
      expect(fake.argsOf('openDataset').map((a) => a.source)).toEqual([{ kind: 'folder', path: '/pics', background: 'black' }]);
    });

    it('Colour offers a colour input whose #rrggbb is sent', async () => {
      const { fake } = setup();
      await fireEvent.change(kind(), { target: { value: 'colour' } });
      await fireEvent.input(screen.getByLabelText('Colour of the transparent areas'), { target: { value: '#336699' } });
      await openFolder();
      expect(fake.argsOf('openDataset').map((a) => a.source)).toEqual([{ kind: 'folder', path: '/pics', background: '#336699' }]);
    });

    it("a folder model's recorded background is preselected when its folder is asked for", async () => {
      const { app } = setup();
      app.library.needsFolder = { id: 'cats', folder: { path: '/old/cats', size: 64, background: '#102030' } };
      await tick();
      expect(kind().value).toBe('colour');
      expect((screen.getByLabelText('Colour of the transparent areas') as HTMLInputElement).value).toBe('#102030');
      expect(app.datasets.background).toBe('#102030');
    });
  });

  it('while a training runs, nothing else can be opened', async () => {
    const { app } = setup();
    app.training.show(trainingStatus({ state: 'running', runId: 'run-1' }));
    await tick();
    expect((screen.getByRole('button', { name: 'Open the MNIST dataset' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the ingest progress and then the open dataset', async () => {
    const { app } = setup();
    expect(screen.getByText('no dataset open')).toBeTruthy();
    app.datasets.ingest = { done: 5, total: 10 };
    await tick();
    expect(screen.getByText('reading images 5/10')).toBeTruthy();
    app.datasets.ingest = null;
    app.dataset = mnist();
    await tick();
    expect(screen.getByText('MNIST')).toBeTruthy();
    expect(screen.getByText(/70000 images · 28×28×1 · 60000 train \/ 10000 test/)).toBeTruthy();
  });

  it('with a project open, asks first and opens nothing when the user says no', async () => {
    const { app, fake, questions } = setup({}, () => false);
    app.project.path = '/home/me/projects/digits';
    await fireEvent.click(screen.getByRole('button', { name: 'Open the MNIST dataset' }));
    expect(questions).toEqual(['Close project digits and open MNIST?\n\nThe project stays as it was last saved.']);
    expect(fake.argsOf('openDataset')).toEqual([]);
  });
});
