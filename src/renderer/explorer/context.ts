/**
 * The explorer slice's context: the 3D view's state (layouts, colours, cursor, decoded image), the
 * search, the selection, camera requests and the VAE figures. Its panels take this, not the root.
 */
import { createContext } from 'svelte';
import type { CameraKeeper } from './camera-link.svelte';
import type { CameraRequests } from './camera-requests.svelte';
import type { FiguresState } from './figures/figures.svelte';
import type { LatentViewState } from './latent-view.svelte';
import type { MetadataState } from './metadata/metadata.svelte';
import type { SearchState } from './search.svelte';
import type { SelectionState } from './selection.svelte';

export interface Explorer {
  readonly view: LatentViewState;
  readonly search: SearchState;
  readonly selection: SelectionState;
  readonly camera: CameraRequests;
  readonly figures: FiguresState;
  /** The user's own columns: colour, filter and search by them. */
  readonly metadata: MetadataState;
  /** Keeps the camera with the open project (saved with it, put back when it is opened). */
  readonly cameraKeeper: CameraKeeper;
}

export const [useExplorer, provideExplorer] = createContext<Explorer>();
