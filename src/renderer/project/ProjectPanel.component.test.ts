import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Bookmark, ProjectSummary } from '../../shared/contract';
import { ApiError } from '../lib/api';
import { AppState } from '../shell/app.svelte';
import { fakeApi, type Answers } from '../shell/testing/fake-api';
import { mnist, status, trainingStatus } from '../shell/testing/fixtures';
import WithSlices from '../shell/testing/WithSlices.svelte';
import ProjectPanel from './ProjectPanel.svelte';

const bookmark: Bookmark = {
  name: 'the sevens',
  camera: { position: [0, 0, 5], target: [0, 0, 0] },
  projection: 'pca',
  colorMode: 'label',
  search: '7',
  selection: [],
  decoded: null,
};

function summary(path: string, missingFolder: string | null = null): ProjectSummary {
  return { path, dataset: null, model: null, weightsHash: null, view: { camera: null, paths: [], activePath: null, bookmarks: [bookmark] }, missingFolder };
}

function setup(answers: Answers = {}, ask: (question: string) => boolean = () => true) {
  const fake = fakeApi({
    projectCurrent: () => ({ path: null, view: null, missingFolder: null }),
    recentProjects: () => ({ projects: [] }),
    projectUpdate: () => ({ saved: false, path: null }),
    status: () => status(),
    ...answers,
  });
  const app = new AppState(fake.api, ask);
  app.status = status();
  const { unmount } = render(WithSlices, { props: { app, component: ProjectPanel } });
  return { app, fake, unmount };
}

const button = (name: string): HTMLButtonElement => screen.getByRole('button', { name }) as HTMLButtonElement;
const pathShown = (): string => screen.getByTestId('project-path').textContent?.replace(/\s+/g, ' ').trim() ?? '';

beforeEach(() => localStorage.clear());

describe('ProjectPanel', () => {
  it("suggests a folder in the app's exports folder (never the dataset's) and saves the project there", async () => {
    const { app, fake } = setup({ projectSave: ({ path }) => ({ path }) });
    expect(pathShown()).toBe('not saved as a project');
    const input = screen.getByPlaceholderText('/path/to/project-folder') as HTMLInputElement;
    expect(input.value).toBe('/data/exports/my-project');
    await fireEvent.click(button('Save project'));
    await waitFor(() => expect(pathShown()).toBe('my-project /data/exports/my-project'));
    expect(fake.argsOf('projectSave').map((a) => a.path)).toEqual(['/data/exports/my-project']);
    expect(app.notices.map((n) => n.message)).toEqual(['project saved to /data/exports/my-project']);
    // Once saved, "Save project" saves it where it is and the other button saves elsewhere.
    expect(button('Save as')).toBeTruthy();
  });

  it("asks before saving a project inside the open dataset's folder, and saves there only on yes, with the confirmation", async () => {
    const refuse = (a: { path: string; insideDataset?: true }) => {
      if (!a.insideDataset) throw new ApiError('inside-dataset', `the project folder "${a.path}" is inside the open dataset's folder /home/me/photos`);
      return { path: a.path };
    };
    for (const yes of [true, false]) {
      const questions: string[] = [];
      const { app, fake, unmount } = setup({ projectSave: refuse }, (q) => (questions.push(q), yes));
      await fireEvent.input(screen.getByPlaceholderText('/path/to/project-folder'), { target: { value: '/home/me/photos/my-project' } });
      await fireEvent.click(button('Save project'));
      await waitFor(() => expect(app.notices).toHaveLength(1));
      expect(questions).toEqual([
        `the project folder "/home/me/photos/my-project" is inside the open dataset's folder /home/me/photos\n\nWrite it there anyway?`,
      ]);
      const calls = fake.argsOf('projectSave').map(({ path, insideDataset }) => ({ path, insideDataset }));
      if (yes) {
        expect(calls).toEqual([
          { path: '/home/me/photos/my-project', insideDataset: undefined },
          { path: '/home/me/photos/my-project', insideDataset: true },
        ]);
        expect(app.notices[0]).toMatchObject({ level: 'info', message: 'project saved to /home/me/photos/my-project' });
        expect(pathShown()).toBe('my-project /home/me/photos/my-project');
      } else {
        expect(calls).toEqual([{ path: '/home/me/photos/my-project', insideDataset: undefined }]);
        expect(app.notices[0]).toMatchObject({ level: 'error' });
        expect(pathShown()).toBe('not saved as a project');
      }
      unmount();
    }
  });

  it('opens a typed project folder and takes its bookmarks', async () => {
    const { app, fake } = setup({ projectOpen: ({ path }) => summary(path) });
    await fireEvent.input(screen.getByPlaceholderText('/path/to/project-folder'), { target: { value: '/home/me/pictures/digits' } });
    await fireEvent.click(button('Open project'));
    await waitFor(() => expect(pathShown()).toBe('digits /home/me/pictures/digits'));
    expect(fake.argsOf('projectOpen')).toEqual([{ path: '/home/me/pictures/digits' }]);
    expect(app.bookmarks.list.map((b) => b.name)).toEqual(['the sevens']);
  });

  it('no project opens while a training runs', async () => {
    const { app } = setup();
    expect(button('Open project').disabled).toBe(false);
    app.training.show(trainingStatus({ state: 'running', runId: 'run-1', epochs: 10 }));
    await waitFor(() => expect(button('Open project').disabled).toBe(true));
  });

  it('lists recent projects; a missing one cannot be opened, another opens with a click', async () => {
    const { fake } = setup({
      recentProjects: () => ({
        projects: [
          { path: '/home/me/pictures/gone', name: 'gone', savedAt: '2026-12-01T10:00:00.000Z', exists: false },
          { path: '/home/me/pictures/faces', name: 'faces', savedAt: '2026-12-02T10:00:00.000Z', exists: true },
        ],
      }),
      projectOpen: ({ path }) => summary(path),
    });
    const gone = (await screen.findByRole('button', { name: 'gone (missing)' })) as HTMLButtonElement;
    expect(gone.disabled).toBe(true);
    await fireEvent.click(button('faces'));
    await waitFor(() => expect(fake.argsOf('projectOpen')).toEqual([{ path: '/home/me/pictures/faces' }]));
  });

  it('when the image folder moved, asks where it went and opens it from there', async () => {
    const { app, fake } = setup({ projectRelocate: () => mnist() });
    // The page first takes the app's view (no folder missing then); the event comes after.
    await waitFor(() => expect(app.project.synced).toBe(true));
    fake.emit('projectMissingFolder', { project: '/home/me/pictures/digits', folder: '/home/me/pictures/old-place' });
    const dialog = await screen.findByRole('dialog', { name: 'Where did the images go?' });
    expect(dialog.textContent).toContain('/home/me/pictures/old-place');
    expect(button('Use this folder').disabled).toBe(true);
    await fireEvent.input(screen.getByPlaceholderText('/new/place/of/the/images'), { target: { value: '/home/me/pictures/new-place' } });
    await fireEvent.click(button('Use this folder'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.argsOf('projectRelocate')).toEqual([{ folder: '/home/me/pictures/new-place' }]);
  });

  it('remembers the autosave choice', async () => {
    setup();
    const autosave = screen.getByRole('checkbox', { name: /autosave/ }) as HTMLInputElement;
    expect(autosave.checked).toBe(true);
    await fireEvent.click(autosave);
    expect(localStorage.getItem('latentscape.autosave')).toBe('off');
  });
});
