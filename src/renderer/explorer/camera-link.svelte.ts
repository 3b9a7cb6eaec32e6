/**
 * Lends the 3D scene's camera to the project (saved with it, restored when it is opened) and
 * reports camera moves for autosave. An opened project's camera is put back after the scene frames
 * new points, until the user takes the camera (pointer or wheel on the canvas).
 */
import type { ModelSummary } from '../../shared/contract';
import type { Vec3 } from '../scene/types';
import type { LatentViewState } from './latent-view.svelte';

export interface SceneCamera {
  getCamera(): { position: Vec3; target: Vec3 };
  setCamera(camera: { position: Vec3; target: Vec3 }): void;
  onCameraChange(listener: () => void): () => void;
}

/** What keeps the camera with the open project (the project slice's ProjectState). */
export interface CameraKeeper {
  attachCamera(access: { get(): { position: Vec3; target: Vec3 }; set(camera: { position: Vec3; target: Vec3 }): void }): () => void;
  cameraMoved(): void;
  userMovedCamera(): void;
  reapplyCamera(layoutKey?: string | null): void;
}

export function linkCamera(
  project: CameraKeeper,
  view: LatentViewState,
  model: () => ModelSummary | null,
  scene: SceneCamera,
  canvas: HTMLElement,
): () => void {
  const release = project.attachCamera({
    get: () => scene.getCamera(),
    set: (c) => scene.setCamera({ position: [...c.position], target: [...c.target] }),
  });
  const offChange = scene.onCameraChange(() => project.cameraMoved());
  const userTook = (): void => project.userMovedCamera();
  canvas.addEventListener('pointerdown', userTook);
  canvas.addEventListener('wheel', userTook, { passive: true });
  const stop = $effect.root(() => {
    // New points re-frame the scene; the opened project's camera wins over that.
    $effect(() => {
      const l = view.layout;
      const m = model();
      const key = l ? `${m?.dir ?? ''}|${m?.epochsCompleted ?? ''}|${l.source}|${l.kind}|${l.latentDim}` : null;
      const timer = setTimeout(() => project.reapplyCamera(key), 0);
      return () => clearTimeout(timer);
    });
  });
  return () => {
    stop();
    offChange();
    canvas.removeEventListener('pointerdown', userTook);
    canvas.removeEventListener('wheel', userTook);
    release();
  };
}
