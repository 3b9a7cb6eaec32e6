/**
 * The open project as the page sees it: save / open / recent / autosave, restoring the camera and
 * the paths of an opened project, and asking where a moved image folder went. The camera belongs to
 * the 3D scene, which lends it through `attachCamera`.
 */
import { ViewColorModeSchema, type Camera, type EventData, type ProjectSummary, type ProjectView, type ViewColorMode } from '../../shared/contract';
import type { AnimationState } from '../animation/animation.svelte';
import type { BookmarksState } from './bookmarks.svelte';
import type { ExplorerKeeper } from './explorer-keeper.svelte';
import type { MetadataState } from '../explorer/metadata/metadata.svelte';
import type { Session } from '../shell/session';
import { confirmingDataset } from '../shell/confirm-inside-dataset';

export interface CameraAccess {
  get(): Camera | null;
  set(camera: Camera): void;
}

/** The view's colouring, kept with the project (the explorer's PointStyle). */
export interface ColoringKeeper {
  readonly coloring: string;
  setColoring(mode: ViewColorMode): Promise<void>;
}

export interface RecentProject {
  path: string;
  name: string;
  savedAt: string;
  exists: boolean;
}

const AUTOSAVE_KEY = 'latentscape.autosave';
const AUTOSAVE_DELAY_MS = 800;
/** The time of day, for "saved at …" (a string: nothing reactive to track). */
const clockTime = (): string => new Date().toLocaleTimeString();

function readAutosave(): boolean {
  try {
    return globalThis.localStorage?.getItem(AUTOSAVE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export class ProjectState {
  path = $state<string | null>(null);
  recent = $state<RecentProject[]>([]);
  autosave = $state(readAutosave());
  /** The image folder of the open project that was not found: the relocate dialog shows while set. */
  missingFolder = $state<string | null>(null);
  lastSaved = $state<string | null>(null);
  busy = $state<string | null>(null);
  /** Bumped when the camera moved (autosave listens). */
  cameraRevision = $state(0);

  private camera: CameraAccess | null = null;
  /** An opened project's camera, kept until the user moves the camera (new points must not reframe it). */
  private restoredCamera: Camera | null = null;
  /**
   * Which layout (model, view kind, latent size) the restored camera belongs to: bound the first time
   * it is applied to a layout; a different layout (a newly trained model, another view) releases it,
   * so a new cloud is framed afresh instead of being shown through an old project's camera.
   */
  private restoredFor: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pushed = '';
  /** The custom axis and the dropped images, kept with the project (set by `keepExplorer`). */
  private explorer: Pick<ExplorerKeeper, 'viewPart' | 'key' | 'restore' | 'applyPending'> | null = null;

  constructor(
    private readonly app: Session,
    readonly animation: AnimationState,
    private readonly bookmarks: BookmarksState,
    /** The imported metadata, kept with the project (its file copied into it). */
    private readonly metadata: Pick<MetadataState, 'viewPart' | 'restore'> | null = null,
    private readonly style?: ColoringKeeper,
    /** A yes/no question to the user (the window's confirm dialog). */
    private readonly ask: (question: string) => boolean = () => false,
  ) {}

  keepExplorer(keeper: NonNullable<ProjectState['explorer']>): void {
    this.explorer = keeper;
  }

  /** Reads what the project keeps of the explorer (an effect that calls this reruns when it changes). */
  trackExplorer(): void {
    void this.explorer?.viewPart();
  }

  /** Puts back a restored custom axis once its points are in the view (an effect calls it as they change). */
  applyPendingExplorer(): void {
    this.explorer?.applyPending();
  }

  /** The colouring a project keeps (undefined: one it does not, such as a colouring added later). */
  get coloring(): ViewColorMode | undefined {
    const mode = ViewColorModeSchema.safeParse(this.style?.coloring);
    return mode.success ? mode.data : undefined;
  }

  private restoreColoring(view: ProjectView | null): void {
    const mode = view?.colorMode;
    if (mode && this.style && mode !== this.style.coloring) void this.style.setColoring(mode);
  }

  listen(): () => void {
    const offs = [
      this.app.api.on('projectOpened', (p: EventData<'projectOpened'>) => this.applyOpened(p)),
      this.app.api.on('projectMissingFolder', (m: EventData<'projectMissingFolder'>) => (this.missingFolder = m.folder)),
      // Another dataset or model was opened: the project stays as saved, and is no longer the open one.
      this.app.api.on('projectClosed', (c: EventData<'projectClosed'>) => {
        if (this.path === c.path) this.path = null;
        this.missingFolder = null;
      }),
      this.app.api.on('menu', (m) => {
        if (m.action === 'project-save') void (this.path ? this.save(this.path) : this.saveAs());
        if (m.action === 'project-open') void this.openWithDialog();
      }),
    ];
    void this.loadRecent();
    void this.sync();
    return () => {
      offs.forEach((off) => off());
      if (this.timer) clearTimeout(this.timer);
    };
  }

  /** The scene lends its camera (and says when it moves); returns the release. */
  attachCamera(access: CameraAccess): () => void {
    this.camera = access;
    if (this.restoredCamera) access.set(this.restoredCamera);
    return () => {
      if (this.camera === access) this.camera = null;
    };
  }

  cameraMoved(): void {
    this.cameraRevision++;
  }

  /** The user took the camera: an opened project's camera is no longer imposed. */
  userMovedCamera(): void {
    this.restoredCamera = null;
    this.restoredFor = null;
  }

  /** Puts the opened project's camera back (after the scene reframed itself for new points). */
  reapplyCamera(layoutKey?: string | null): void {
    if (!this.restoredCamera || !this.camera) return;
    if (layoutKey) {
      if (this.restoredFor === null) {
        this.restoredFor = layoutKey;
      } else if (this.restoredFor !== layoutKey) {
        this.restoredCamera = null;
        this.restoredFor = null;
        return;
      }
    }
    this.camera.set(this.restoredCamera);
  }

  setAutosave(on: boolean): void {
    this.autosave = on;
    try {
      globalThis.localStorage?.setItem(AUTOSAVE_KEY, on ? 'on' : 'off');
    } catch {
      // private mode: the choice lasts for this page only
    }
    if (on) this.scheduleUpdate();
  }

  view(): ProjectView {
    const view = this.animation.viewPart(this.camera?.get() ?? null);
    const metadata = this.metadata?.viewPart();
    const colorMode = this.coloring;
    return {
      ...view,
      ...(this.bookmarks.list.length ? { bookmarks: this.bookmarks.list } : {}),
      ...(metadata ? { metadata } : {}),
      ...(colorMode ? { colorMode } : {}),
      ...this.explorer?.viewPart(),
    };
  }

  /** Reads what the project keeps of the metadata, so an effect that calls this reruns when it changes. */
  trackMetadata(): void {
    void this.metadata?.viewPart();
  }

  /** Something of the view changed: tell the app (debounced); it writes the project when autosave is on. */
  scheduleUpdate(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pushView();
    }, AUTOSAVE_DELAY_MS);
  }

  /**
   * A page that (re)loads starts from the view the app holds (the open project's, or the last one
   * pushed), so its empty state never overwrites a project. Nothing is pushed before this ran.
   */
  private async sync(): Promise<void> {
    for (let attempt = 0; attempt < 20 && !this.synced; attempt++) {
      try {
        const current = await this.app.api.call('projectCurrent', {});
        this.path = current.path;
        this.missingFolder = current.missingFolder;
        if (current.view) {
          this.animation.restore(current.view);
          this.bookmarks.load(current.view.bookmarks);
          void this.metadata?.restore(current.view.metadata);
          this.restoreColoring(current.view);
          this.explorer?.restore(current.view, this.app.model?.dir ?? null);
          this.restoredCamera = current.view.camera;
          this.restoredFor = null;
          this.reapplyCamera();
        }
        this.synced = true;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Whether the page has taken the app's view (until then nothing is pushed). */
  synced = $state(false);

  private async pushView(): Promise<void> {
    if (!this.synced) return;
    const view = this.view();
    const key = JSON.stringify({
      c: view.camera,
      p: view.paths.map((p) => [p.frames, p.easing, p.loop, p.segments, Array.from(p.keyframes)]),
      a: view.activePath,
      b: view.bookmarks,
      m: view.metadata,
      d: view.draft ? [view.draft.sources, view.draft.segments, Array.from(view.draft.keyframes)] : null,
      k: view.colorMode,
      x: this.explorer?.key(),
      s: this.autosave,
      path: this.path,
    });
    if (key === this.pushed) return;
    this.pushed = key;
    try {
      const r = await this.app.api.call('projectUpdate', { view, autosave: this.autosave && this.path !== null });
      if (r.saved) this.lastSaved = clockTime();
    } catch (err) {
      this.app.notify('warning', `autosave failed: ${(err as Error).message}`);
    }
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = (await this.app.api.call('recentProjects', {})).projects;
    } catch {
      this.recent = [];
    }
  }

  private async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try {
      return await action();
    } catch (err) {
      this.app.notify('error', (err as Error).message);
      return undefined;
    } finally {
      this.busy = null;
    }
  }

  async save(path: string): Promise<boolean> {
    // A folder inside the open dataset's is refused until the user confirms it ('inside-dataset').
    const saved = await this.run('Saving…', () => {
      const view = this.view();
      return confirmingDataset(this.ask, (confirmed) => this.app.api.call('projectSave', { path, view, ...confirmed }));
    });
    if (!saved) return false;
    this.path = saved.path;
    this.lastSaved = clockTime();
    this.app.notify('info', `project saved to ${saved.path}`);
    await this.loadRecent();
    return true;
  }

  async open(path: string): Promise<boolean> {
    const opened = await this.run('Opening…', () => this.app.api.call('projectOpen', { path }));
    // The projectOpened event restores the view; the answer may come first.
    if (opened) this.applyOpened(opened);
    await this.loadRecent();
    return Boolean(opened);
  }

  private lastApplied: { path: string; at: number } | null = null;

  private applyOpened(p: ProjectSummary): void {
    // The event and the call's answer carry the same summary: apply it once.
    const now = Date.now();
    if (this.lastApplied && this.lastApplied.path === p.path && now - this.lastApplied.at < 2000) return;
    this.lastApplied = { path: p.path, at: now };
    this.path = p.path;
    this.missingFolder = p.missingFolder;
    this.animation.restore(p.view);
    this.bookmarks.load(p.view?.bookmarks);
    void this.metadata?.restore(p.view?.metadata);
    this.restoreColoring(p.view);
    this.explorer?.restore(p.view, p.model?.dir ?? null);
    this.restoredCamera = p.view?.camera ?? null;
    this.restoredFor = null;
    this.reapplyCamera();
    void this.app.refresh().catch(() => undefined);
  }

  async relocate(folder: string): Promise<boolean> {
    const dataset = await this.run('Opening the folder…', () => this.app.api.call('projectRelocate', { folder }));
    if (!dataset) return false;
    this.missingFolder = null;
    return true;
  }

  /** Native dialogs (Electron); in the browser the panel's path field is used instead. */
  async choose(purpose: 'project-open' | 'project-save' | 'relocate'): Promise<string | null> {
    const r = await this.run('Choosing…', () => this.app.api.call('choosePath', { purpose }));
    return r?.path ?? null;
  }

  async saveAs(): Promise<void> {
    const path = await this.choose('project-save');
    if (path) await this.save(path);
  }

  async openWithDialog(): Promise<void> {
    const path = await this.choose('project-open');
    if (path) await this.open(path);
  }
}
