/**
 * The shell's contexts. App.svelte creates the state root and provides, through provideSlices, each
 * feature slice under its own context (explorer/context.ts, training/context.ts, …) and the narrow
 * session every panel may read. Only the shell's own components (status bar, notices) take the root.
 */
import { createContext } from 'svelte';
import type { AppState } from './app.svelte';
import type { PageSession } from './session';
import { provideAnimation } from '../animation/context';
import { provideDataset } from '../dataset/context';
import { provideExplorer } from '../explorer/context';
import { provideDropped } from '../explorer/dropped/context';
import { provideSelectionExport } from '../explorer/selection-export/context';
import { provideLibrary } from '../library/context';
import { provideProject } from '../project/context';
import { provideTraining } from '../training/context';

/** The state root: the shell's components only (StatusBar, Notices). */
export const [useApp, provideApp] = createContext<AppState>();

/** What the service reported (status, dataset, model, points, files) and notices. */
export const [useSession, provideSession] = createContext<PageSession>();

/** Provides the root to the shell and each slice to its panels. */
export function provideSlices(app: AppState): AppState {
  provideApp(app);
  provideSession(app);
  provideDataset(app.datasets);
  provideTraining(app.training);
  provideExplorer({
    view: app.view,
    search: app.search,
    selection: app.selection,
    camera: app.camera,
    figures: app.figures,
    metadata: app.metadata,
    cameraKeeper: app.project,
  });
  provideAnimation(app.animation);
  provideProject({ project: app.project, bookmarks: app.bookmarks });
  provideLibrary(app.library);
  provideDropped(app.dropped);
  provideSelectionExport(app.selectionExport);
  return app;
}
