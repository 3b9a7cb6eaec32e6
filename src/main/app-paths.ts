/**
 * Where the main process finds what it opens at run time, in one pure function, so the packaged
 * layout test (test/integration/built) checks the very paths the app uses.
 *
 * Unpackaged (npm start): everything under the project, out/ beside resources/.
 * Packaged (electron-builder): out/ inside resources/app.asar, the default model beside it as an
 * extraResource (resources/default-model), native files in resources/app.asar.unpacked.
 */
import { join } from 'node:path';

export interface AppLocation {
  /** app.isPackaged */
  isPackaged: boolean;
  /** app.getAppPath(): the project folder, or …/resources/app.asar */
  appPath: string;
  /** process.resourcesPath */
  resourcesPath: string;
  /** The folder of the running main bundle (out/main). */
  mainDir: string;
}

export interface AppPaths {
  preload: string;
  rendererDir: string;
  engineEntry: string;
  defaultModelDir: string;
}

export function appPaths(at: AppLocation): AppPaths {
  return {
    preload: join(at.mainDir, '..', 'preload', 'index.cjs'),
    rendererDir: join(at.mainDir, '..', 'renderer'),
    engineEntry: join(at.mainDir, 'engine.js'),
    defaultModelDir: at.isPackaged ? join(at.resourcesPath, 'default-model') : join(at.appPath, 'resources', 'default-model'),
  };
}

/** electron-vite's dev server, honoured only when unpackaged: a packaged app never loads a URL from its environment. */
export function devServerUrl(isPackaged: boolean, env: NodeJS.ProcessEnv): string | null {
  return !isPackaged && env.ELECTRON_RENDERER_URL ? env.ELECTRON_RENDERER_URL : null;
}
