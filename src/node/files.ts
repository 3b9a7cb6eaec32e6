/**
 * File helpers for every Node-side part (engine, service, CLI, host): one place for how a file is
 * written so that a crash never leaves half of it (temp file beside it, then rename).
 * Imports only node: the renderer never loads this.
 */
import { stat } from 'node:fs/promises';

/** Whether `path` exists (any kind of file). */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
