/**
 * Bookmarks: named views of the explorer — camera, projection, colouring, search, selection and
 * decoded latent — kept in the project (ProjectView.bookmarks). Restoring one glides the camera back.
 */
import { MAX_BOOKMARK_SELECTION, MAX_BOOKMARKS, type Bookmark } from '../../shared/contract';
import type { CameraRequests } from '../explorer/camera-requests.svelte';
import type { LatentViewState } from '../explorer/latent-view.svelte';
import type { SearchState } from '../explorer/search.svelte';
import type { SelectionState } from '../explorer/selection.svelte';
import type { Session } from '../shell/session';

export class BookmarksState {
  list = $state.raw<Bookmark[]>([]);
  /** Bumped on every change a project should remember (autosave listens). */
  revision = $state(0);

  constructor(
    private readonly app: Session,
    private readonly view: LatentViewState,
    private readonly search: SearchState,
    private readonly selection: SelectionState,
    private readonly camera: CameraRequests,
  ) {}

  /** Keeps the current view under `name` (a bookmark of the same name is replaced). */
  add(name: string): void {
    const cam = this.camera.current();
    const l = this.view.layout;
    const trimmed = name.trim();
    if (!cam || !l || !trimmed) return;
    const others = this.list.filter((b) => b.name !== trimmed);
    if (others.length >= MAX_BOOKMARKS) {
      this.app.notify('warning', `a project keeps at most ${MAX_BOOKMARKS} bookmarks: remove one first`);
      return;
    }
    const rows = this.selection.indices();
    if (rows.length > MAX_BOOKMARK_SELECTION)
      this.app.notify('info', `the bookmark keeps the first ${MAX_BOOKMARK_SELECTION.toLocaleString()} of the ${rows.length.toLocaleString()} selected images`);
    const d = this.view.decoder.decoded;
    const bookmark: Bookmark = {
      name: trimmed.slice(0, 200),
      camera: { position: [...cam.position], target: [...cam.target] },
      projection: this.view.kind,
      colorMode: this.view.style.coloring,
      search: this.search.query.slice(0, 200),
      selection: rows.slice(0, MAX_BOOKMARK_SELECTION).map((i) => l.ids[i]),
      decoded: d ? Array.from(d.z) : null,
    };
    this.list = [...others, bookmark];
    this.revision++;
  }

  remove(name: string): void {
    this.list = this.list.filter((b) => b.name !== name);
    this.revision++;
  }

  /** Brings a bookmarked view back: projection and colours first, then the camera glides there. */
  async restore(bookmark: Bookmark): Promise<void> {
    if (bookmark.projection !== this.view.kind) await this.view.setProjection(bookmark.projection);
    if (bookmark.colorMode !== this.view.style.coloring) await this.view.style.setColoring(bookmark.colorMode);
    this.search.query = bookmark.search;
    const rows = bookmark.selection.map((id) => this.view.layoutIndexOf(id)).filter((i): i is number => i !== null);
    if (rows.length) this.selection.add(rows, true);
    else this.selection.clear();
    if (bookmark.decoded && bookmark.decoded.length === this.view.latentDim) this.view.decodeLatent(Float32Array.from(bookmark.decoded), 'external');
    // After the new layout's own framing (its effect runs first), so the bookmark's camera wins.
    setTimeout(() => this.camera.glideTo(bookmark.camera), 0);
  }

  /** The bookmarks of an opened project (or of the app's current view). */
  load(list: Bookmark[] | undefined): void {
    this.list = list ?? [];
  }
}
