/**
 * Images the user brings (issue 27): dropped, pasted or chosen files, each encoded by the open model in
 * the engine (the service's `encodeImage`: the ingest's decoder with the model's preprocessing). Each
 * one keeps its μ, σ, reconstruction and nearest training images, and is placed in the current layout
 * (placement.ts). They belong to the model that encoded them: another model shows none of them.
 */
import { MAX_ENCODE_IMAGE_BYTES, MAX_KEPT_DROPPED, MAX_KEPT_IMAGE_BYTES, type EncodedImage, type KeptDropped } from '../../../shared/contract';
import type { Vec3 } from '../../scene/types';
import type { Session } from '../../shell/session';
import type { LatentViewState } from '../latent-view.svelte';
import { droppedPosition } from './placement';

export interface DroppedImage {
  id: number;
  encoded: EncodedImage;
  /** The model folder that encoded it (null: a project's, restored before its model was known: any model of its latent size). */
  modelDir: string | null;
}

/** What an image file can be, by its type or name (a folder or a text file is not sent at all). */
const IMAGE_NAME = /\.(png|jpe?g|webp|gif|avif|tiff?|bmp|svg)$/i;
export const looksLikeImage = (file: { name: string; type: string }): boolean => file.type.startsWith('image/') || IMAGE_NAME.test(file.name);

export class DroppedImages {
  private all = $state.raw<DroppedImage[]>([]);
  /** Files being encoded now. */
  pending = $state(0);
  /** The one shown in the panel (its id). */
  activeId = $state<number | null>(null);
  private nextId = 1;
  /** Bumped when the images change (a project keeps them). */
  revision = $state(0);

  /** The open model's images, oldest first. */
  readonly items: DroppedImage[] = $derived(
    this.all.filter((d) => d.modelDir === this.app.model?.dir || (d.modelDir === null && d.encoded.mu.length === this.app.model?.latentDim)),
  );
  readonly active: DroppedImage | null = $derived(this.items.find((d) => d.id === this.activeId) ?? this.items.at(-1) ?? null);

  constructor(
    private readonly app: Pick<Session, 'api' | 'model' | 'notify'>,
    private readonly view: LatentViewState,
  ) {}

  /**
   * Encodes each file in turn. One that is too big, not an image or refused by the engine gets a notice
   * naming it and why; the others are still encoded. Resolves to how many were added.
   */
  async addFiles(files: readonly File[]): Promise<number> {
    const model = this.app.model;
    if (!model) {
      this.app.notify('warning', 'open or train a model first: a dropped image is encoded by the open model');
      return 0;
    }
    let added = 0;
    this.pending += files.length;
    for (const file of files) {
      try {
        if (file.size > MAX_ENCODE_IMAGE_BYTES) {
          const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
          this.app.notify('error', `"${file.name}" is ${mb(file.size)}: an image brought into the view may be at most ${mb(MAX_ENCODE_IMAGE_BYTES)}`);
          continue;
        }
        const bytes = new Uint8Array(await file.arrayBuffer());
        const encoded = await this.app.api.call('encodeImage', { name: file.name.slice(0, 255) || 'image', bytes });
        const item = { id: this.nextId++, encoded, modelDir: model.dir };
        this.all = [...this.all, item];
        this.activeId = item.id;
        this.revision++;
        added++;
      } catch (err) {
        this.app.notify('error', (err as Error).message);
      } finally {
        this.pending--;
      }
    }
    return added;
  }

  /** Where an image sits in the current layout (null: no layout, or it cannot be placed there). */
  positionOf(item: DroppedImage): Vec3 | null {
    const layout = this.view.layout;
    if (!layout || layout.latentDim !== item.encoded.mu.length) return null;
    return droppedPosition(layout, item.encoded.mu, item.encoded.nearest.ids, (z) => this.view.latentToView(z));
  }

  /** Every image of the open model placed in the current layout (for the view's marks). */
  get positions(): { id: number; at: Vec3 }[] {
    const out: { id: number; at: Vec3 }[] = [];
    for (const item of this.items) {
      const at = this.positionOf(item);
      if (at) out.push({ id: item.id, at });
    }
    return out;
  }

  /** Makes it the view's decoded point: the keyframe, arithmetic and export panels take it from there. */
  show(item: DroppedImage): void {
    this.activeId = item.id;
    this.view.decodeLatent(Float32Array.from(item.encoded.mu), 'external');
    const at = this.positionOf(item);
    if (at) this.view.cursor = at;
  }

  remove(id: number): void {
    this.all = this.all.filter((d) => d.id !== id);
    if (this.activeId === id) this.activeId = null;
    this.revision++;
  }

  /** What a project keeps: the open model's latest images whose pictures are small enough to keep. */
  keptPart(): KeptDropped[] {
    const small = (d: DroppedImage): boolean =>
      [d.encoded.input, d.encoded.reconstruction].every((i) => i.count === 1 && i.pixels.length <= MAX_KEPT_IMAGE_BYTES);
    return this.items
      .filter(small)
      .slice(-MAX_KEPT_DROPPED)
      .map((d) => d.encoded);
  }

  /** An opened project's images, of its model (`modelDir`; null: whichever model of their latent size opens). */
  restoreKept(kept: readonly KeptDropped[], modelDir: string | null): void {
    const others = this.all.filter((d) => d.modelDir !== null && d.modelDir !== modelDir);
    this.all = [...others, ...kept.map((encoded) => ({ id: this.nextId++, encoded, modelDir }))];
    this.activeId = null;
  }
}
