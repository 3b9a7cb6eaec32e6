/** The project slice's context: the open project and the named views (bookmarks) kept in it. */
import { createContext } from 'svelte';
import type { BookmarksState } from './bookmarks.svelte';
import type { ProjectState } from './project.svelte';

export interface ProjectSlice {
  readonly project: ProjectState;
  readonly bookmarks: BookmarksState;
}

export const [useProject, provideProject] = createContext<ProjectSlice>();
