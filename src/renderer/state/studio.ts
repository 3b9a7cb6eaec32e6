/**
 * One AnimationState and one ProjectState per AppState, created on first use: the panels, the
 * dialogs and the 3D view (which draws the path and lends its camera) all reach the same ones
 * without App passing them around.
 */
import type { AppState } from './app.svelte';
import { AnimationState } from './keyframes.svelte';
import { ProjectState } from './project.svelte';

export interface Studio {
  animation: AnimationState;
  project: ProjectState;
}

const studios = new WeakMap<AppState, Studio>();

export function getStudio(app: AppState): Studio {
  let studio = studios.get(app);
  if (!studio) {
    const animation = new AnimationState(app);
    studio = { animation, project: new ProjectState(app, animation) };
    studios.set(app, studio);
  }
  return studio;
}
