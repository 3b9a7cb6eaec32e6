/**
 * What a project keeps of the explorer's issue 27 tools: the custom axis on show and the dropped images
 * (shared/kept-view-schemas.ts). The images come back at once, bound to the project's model. The axis
 * needs that model's points in the view: an opened project's points arrive after it (and their arrival
 * resets the view), so it waits as `pendingAxis` until they are shown, then is put back once.
 */
import type { KeptCustomAxis, Projection, ProjectView } from '../../shared/contract';
import type { DroppedImages } from '../explorer/dropped/dropped.svelte';
import type { LatentViewState } from '../explorer/latent-view.svelte';
import type { Session } from '../shell/session';

type KeptPart = Pick<ProjectView, 'customAxis' | 'dropped'>;

const toKept = (axis: { what: string; projection: Projection }): KeptCustomAxis => {
  const { latentDim, mean, axes, explained } = axis.projection;
  return { what: axis.what, latentDim, mean, axes, explained };
};

export class ExplorerKeeper {
  /** A restored axis not yet shown, and the model whose points it waits for (null: any of its latent size). */
  pendingAxis = $state.raw<{ axis: KeptCustomAxis; modelDir: string | null } | null>(null);

  constructor(
    private readonly app: Pick<Session, 'model' | 'embeddings'>,
    private readonly view: Pick<LatentViewState, 'customAxis' | 'layout' | 'projectionBusy' | 'showCustomProjection'>,
    private readonly dropped: Pick<DroppedImages, 'keptPart' | 'restoreKept' | 'revision'>,
  ) {}

  /** The project view's part (reading it tracks the axis and the images, for autosave). */
  viewPart(): KeptPart {
    void this.dropped.revision;
    const shown = this.view.customAxis;
    // Saved before the restored axis could be shown: keep it rather than lose it.
    const customAxis = shown ? toKept(shown) : this.pendingAxis?.axis;
    const dropped = this.dropped.keptPart();
    return { ...(customAxis ? { customAxis } : {}), ...(dropped.length ? { dropped } : {}) };
  }

  /** A string that changes when what is kept changes (the autosave's "anything new?"). */
  key(): string {
    const part = this.viewPart();
    return JSON.stringify([part.customAxis ?? null, part.dropped?.map((d) => [d.name, Array.from(d.mu)]) ?? null]);
  }

  /** An opened project's (or the app's current) view: its images now, its axis once its points are shown. */
  restore(view: ProjectView | null, modelDir: string | null): void {
    this.dropped.restoreKept(view?.dropped ?? [], modelDir);
    this.pendingAxis = view?.customAxis ? { axis: view.customAxis, modelDir } : null;
    this.applyPending();
  }

  /** Shows the pending axis when its model's points are in the view and no other view is being computed. */
  applyPending(): void {
    const pending = this.pendingAxis;
    const layout = this.view.layout;
    const e = this.app.embeddings;
    if (!pending || !e || !layout || layout.source !== 'embeddings' || layout.mu !== e.mu || this.view.projectionBusy) return;
    if (layout.latentDim !== pending.axis.latentDim) return;
    if (pending.modelDir !== null && this.app.model?.dir !== pending.modelDir) return;
    const { what, ...projection } = pending.axis;
    this.pendingAxis = null;
    this.view.showCustomProjection({ kind: 'pca', ...projection }, what);
  }
}
