/** The animation slice's context: keyframes, the path, its preview and export. */
import { createContext } from 'svelte';
import type { AnimationState } from './animation.svelte';

export const [useAnimation, provideAnimation] = createContext<AnimationState>();
