/**
 * The app refuses a save inside the open dataset's folder ('inside-dataset') until the user confirms:
 * the page asks them, and on yes makes the same save again with the confirmation.
 */
import type { InsideDatasetConfirmed } from '../../shared/contract';

/** Any other failure, or a no, is the caller's to show. */
export async function confirmingDataset<T>(ask: (question: string) => boolean, save: (confirmed: InsideDatasetConfirmed) => Promise<T>): Promise<T> {
  try {
    return await save({});
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code !== 'inside-dataset' || !ask(`${e.message}\n\nWrite it there anyway?`)) throw err;
    return save({ insideDataset: true });
  }
}
